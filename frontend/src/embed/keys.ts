// The keys of the public catalogs (src/i18n/*.json) that the embeddable widget
// uses. vite.embed.config.ts builds the widget's catalogs from these keys only,
// for every language, so embed.js carries all its languages in a few KB.

type Key = keyof typeof import("../i18n/en.json");

export const embedKeys = [
  "done",
  "early",
  "ended",
  "endsIn",
  "late",
  "live",
  "loadFailed",
  "loading",
  "noSlots",
  "notStarted",
  "nowAndNext",
  "onStage",
  "onTime",
  "overBy",
  "paused",
  "reconnecting",
  "runningOrder",
  "skipped",
  "startsIn",
  "startsSoon",
  "timesIn",
  "upNext",
  "watch",
] as const satisfies readonly Key[];

export type EmbedKey = (typeof embedKeys)[number];
