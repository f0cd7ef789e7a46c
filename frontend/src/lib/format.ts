// Dates, times, durations, countries and languages through Intl, in the page's language.

import { lang } from "./locale";

const cache = new Map<string, Intl.DateTimeFormat>();

function dtf(tz: string, opts: Intl.DateTimeFormatOptions): Intl.DateTimeFormat {
  const key = lang + tz + JSON.stringify(opts);
  let f = cache.get(key);
  if (!f) {
    try {
      f = new Intl.DateTimeFormat(lang, { ...opts, timeZone: tz });
    } catch {
      f = new Intl.DateTimeFormat(lang, opts);
    }
    cache.set(key, f);
  }
  return f;
}

export function time(ms: number, tz: string): string {
  return dtf(tz, { hour: "2-digit", minute: "2-digit" }).format(ms);
}

export function dateTime(ms: number, tz: string): string {
  return dtf(tz, { weekday: "short", day: "numeric", month: "short", hour: "2-digit", minute: "2-digit" }).format(ms);
}

export function day(ms: number, tz: string): string {
  return dtf(tz, { weekday: "short", day: "numeric" }).format(ms);
}

export function date(ms: number, tz: string): string {
  return dtf(tz, { weekday: "long", day: "numeric", month: "long", year: "numeric" }).format(ms);
}

/** dayKey is the calendar day of ms in tz, to tell when two times fall on different days. */
export function dayKey(ms: number, tz: string): string {
  return dtf(tz, { year: "numeric", month: "2-digit", day: "2-digit" }).format(ms);
}

/** zoneName is a short name of the zone ("CEST", "GMT+2") at ms. */
export function zoneName(ms: number, tz: string): string {
  const part = dtf(tz, { hour: "numeric", timeZoneName: "short" })
    .formatToParts(ms)
    .find((p) => p.type === "timeZoneName");
  return part?.value ?? tz;
}

/** clock is a countdown: m:ss, or h:mm:ss from an hour. */
export function clock(seconds: number): string {
  const s = Math.max(0, Math.floor(seconds));
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const ss = String(s % 60).padStart(2, "0");
  return h > 0 ? `${h}:${String(m).padStart(2, "0")}:${ss}` : `${m}:${ss}`;
}

/** minutes is a whole number of minutes, rounded, for "6 min late". */
export function minutes(seconds: number): string {
  try {
    return new Intl.NumberFormat(lang, { style: "unit", unit: "minute", unitDisplay: "short" }).format(
      Math.max(1, Math.round(Math.abs(seconds) / 60)),
    );
  } catch {
    return `${Math.max(1, Math.round(Math.abs(seconds) / 60))} min`;
  }
}

function displayNames(type: "region" | "language"): Intl.DisplayNames | null {
  try {
    return new Intl.DisplayNames([lang, "en"], { type });
  } catch {
    return null;
  }
}

export function country(code: string): string {
  try {
    return displayNames("region")?.of(code.toUpperCase()) ?? code.toUpperCase();
  } catch {
    return code.toUpperCase();
  }
}

export function language(code: string): string {
  try {
    return displayNames("language")?.of(code) ?? code;
  } catch {
    return code;
  }
}

export function browserZone(): string {
  try {
    return Intl.DateTimeFormat().resolvedOptions().timeZone || "UTC";
  } catch {
    return "UTC";
  }
}
