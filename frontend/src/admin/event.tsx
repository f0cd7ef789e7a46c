// One event's console: kept current by the organizer feed (every field,
// warnings and stage messages), so edits from other organizers appear live.

import { useEffect, useState } from "preact/hooks";
import type { Agenda, FeedMessage, Organization, Slot, StageMessage } from "../lib/agenda";
import { Feed, fetchAgenda, wsURL, type FeedState } from "../lib/feed";
import { go } from "./route";
import { RunningOrder } from "./order";
import { LiveConsole } from "./live";
import { Board, Organizations, Speakers } from "./people";
import { Balance, History, Members, Settings, Warnings } from "./reports";
import { OpenCall } from "./call";

export interface OrgEvent {
  id: string;
  slug: string;
  title: string;
  description: string;
  starts_at: string;
  ends_at: string | null;
  timezone: string;
  status: "draft" | "published" | "ended";
  languages: string[];
  stream_url: string;
  revision: number;
  version: number;
}

export interface OrgSpeaker {
  id: string;
  name: string;
  country: string;
  organization_id: string;
  bio: string;
  photo_url: string;
  timezone: string;
  languages: string[];
  contact_email: string;
  notes: string;
  hide_country: boolean;
  hide_organization: boolean;
  hide_photo: boolean;
  revision: number;
}

export interface Warning {
  kind: string;
  message: string;
  slot_id?: string;
  other_slot_id?: string;
  speaker_id?: string;
  stage_id?: string;
}

export type OrgAgenda = Agenda<OrgEvent, Slot & { revision: number }, OrgSpeaker> & { organizations: (Organization & { revision: number })[] };

export interface Ctx {
  a: OrgAgenda;
  warnings: Warning[];
  messages: StageMessage[];
}

const tabs: [string, string][] = [
  ["order", "Running order"],
  ["live", "Live"],
  ["speakers", "Speakers"],
  ["organizations", "Organizations"],
  ["board", "Confirmations"],
  ["call", "Open call"],
  ["warnings", "Warnings"],
  ["balance", "Balance"],
  ["history", "History"],
  ["members", "Members"],
  ["settings", "Settings"],
];

export function EventConsole({ id, tab }: { id: string; tab: string }) {
  const [a, setA] = useState<OrgAgenda | null>(null);
  const [warnings, setWarnings] = useState<Warning[]>([]);
  const [messages, setMessages] = useState<StageMessage[]>([]);
  const [state, setState] = useState<FeedState>("connecting");
  useEffect(() => {
    const api = `/api/v1/events/${encodeURIComponent(id)}`;
    const feed = new Feed<OrgAgenda>({
      url: (since) => wsURL(`${api}/live${since === null ? "" : `?since=${since}`}`),
      poll: (etag) => fetchAgenda<OrgAgenda>(`${api}/agenda`, etag),
      onAgenda: (next, m: FeedMessage | null) => {
        setA(next);
        if (m?.warnings) setWarnings(m.warnings as Warning[]);
        if (m?.messages?.length) setMessages((old) => [...m.messages!, ...old].slice(0, 30));
      },
      onState: setState,
    });
    feed.start();
    return () => feed.stop();
  }, [id]);
  useEffect(() => {
    if (a) document.title = `${a.event.title} · Tribune console`;
  }, [a?.event.title]);
  if (!a) return <p class="pad">Loading the event…</p>;
  const ctx: Ctx = { a, warnings, messages };
  const base = `/admin/e/${encodeURIComponent(id)}`;
  return (
    <div class="console">
      <div class="eventhead">
        <h1>{a.event.title}</h1>
        <span class={`chip is-${a.event.status}`}>{a.event.status}</span>
        <a href={`/e/${a.event.slug}`} target="_blank" rel="noopener">
          Public page
        </a>
        <span class="muted">version {a.version}</span>
        <span class={`conn-${state}`} role="status" aria-live="polite">
          {state === "reconnecting" ? "Connection lost, reconnecting…" : state === "live" ? "● live" : ""}
        </span>
      </div>
      <nav class="tabs" aria-label="Event sections">
        {tabs.map(([key, label]) => (
          <a
            href={`${base}/${key}`}
            aria-current={key === tab ? "page" : undefined}
            onClick={(e) => {
              e.preventDefault();
              go(`${base}/${key}`);
            }}
          >
            {label}
            {key === "warnings" && warnings.length > 0 && <span class="count-badge">{warnings.length}</span>}
          </a>
        ))}
      </nav>
      <main class="pad" id="main">
        {tab === "order" && <RunningOrder ctx={ctx} />}
        {tab === "live" && <LiveConsole ctx={ctx} />}
        {tab === "speakers" && <Speakers ctx={ctx} />}
        {tab === "organizations" && <Organizations ctx={ctx} />}
        {tab === "board" && <Board ctx={ctx} />}
        {tab === "call" && <OpenCall ctx={ctx} />}
        {tab === "warnings" && <Warnings ctx={ctx} />}
        {tab === "balance" && <Balance ctx={ctx} />}
        {tab === "history" && <History ctx={ctx} />}
        {tab === "members" && <Members ctx={ctx} />}
        {tab === "settings" && <Settings ctx={ctx} />}
      </main>
    </div>
  );
}

/** path is the event's API path. */
export function path(ctx: Ctx, rest = ""): string {
  return `/events/${encodeURIComponent(ctx.a.event.id)}${rest}`;
}

/** fmt formats an instant in the event's time zone. */
export function fmt(ctx: Ctx, ms: number, withDay = false): string {
  return new Intl.DateTimeFormat("en-GB", {
    timeZone: ctx.a.event.timezone,
    hour: "2-digit",
    minute: "2-digit",
    ...(withDay ? { weekday: "short", day: "numeric", month: "short" } : {}),
  }).format(ms);
}
