// The open call in the console: its settings (dates, consent text) and the
// review queue of applications (filters by status, country, UN M.49 region and
// kind; accept, decline, merge duplicates; clear a flood).

import { useEffect, useState } from "preact/hooks";
import { get, patch, post, Problem, request } from "./api";
import { path, type Ctx } from "./event";
import type { ApplicationFields } from "../lib/application";

interface Call {
  opens_at: string | null;
  closes_at: string | null;
  consent_version: string;
  consent_text: string;
  revision: number;
}

export interface Application extends ApplicationFields {
  id: string;
  consent_version: string;
  locale: string;
  status: string;
  confirmed_at: string | null;
  duplicate_of: string;
  merged_into: string;
  organization_id: string;
  speaker_id: string;
  slot_id: string;
  decision_note: string;
  decided_by: string;
  decided_at: string | null;
  created_at: string;
}

const statuses = ["unconfirmed", "pending", "accepted", "declined", "merged", "spam"];
const kinds = ["party", "union", "movement", "ngo", "media", "other", "personality"];
/** UN M.49 continents and the regions organizers most often ask about. */
const regions: [string, string][] = [
  ["002", "Africa"],
  ["019", "Americas"],
  ["419", "Latin America and the Caribbean"],
  ["021", "Northern America"],
  ["142", "Asia"],
  ["145", "Western Asia"],
  ["150", "Europe"],
  ["151", "Eastern Europe"],
  ["155", "Western Europe"],
  ["039", "Southern Europe"],
  ["154", "Northern Europe"],
  ["009", "Oceania"],
];

const regionName = new Intl.DisplayNames(["en"], { type: "region" });
function countryName(cc: string): string {
  try {
    return regionName.of(cc) ?? cc;
  } catch {
    return cc;
  }
}

/** local is an instant as the value of a datetime-local input, in the browser's zone. */
function local(iso: string | null): string {
  if (!iso) return "";
  const d = new Date(iso);
  const p = (n: number) => String(n).padStart(2, "0");
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())}T${p(d.getHours())}:${p(d.getMinutes())}`;
}

function instant(v: string): string | null {
  return v ? new Date(v).toISOString() : null;
}

function when(iso: string | null): string {
  return iso ? new Date(iso).toLocaleString("en-GB", { dateStyle: "medium", timeStyle: "short" }) : "";
}

export function OpenCall({ ctx }: { ctx: Ctx }) {
  return (
    <>
      <CallSettings ctx={ctx} />
      <Queue ctx={ctx} />
    </>
  );
}

function CallSettings({ ctx }: { ctx: Ctx }) {
  const [call, setCall] = useState<Call | null>(null);
  const [f, setF] = useState({ opens: "", closes: "", version: "1", text: "" });
  const [msg, setMsg] = useState<{ ok: boolean; text: string } | null>(null);
  const fill = (c: Call) => {
    setCall(c);
    setF({ opens: local(c.opens_at), closes: local(c.closes_at), version: c.consent_version, text: c.consent_text });
  };
  useEffect(() => {
    get<Call>(path(ctx, "/call"))
      .then(fill)
      .catch((e) => setMsg({ ok: false, text: e.message }));
  }, [ctx.a.event.id]);
  const save = async (body: Record<string, unknown>) => {
    setMsg(null);
    try {
      fill(await patch<Call>(path(ctx, "/call"), body, call?.revision));
      setMsg({ ok: true, text: "Saved." });
    } catch (e) {
      if (e instanceof Problem && e.status === 412 && e.current) {
        fill(e.current as Call);
        setMsg({ ok: false, text: "Someone changed the call meanwhile: here is the current version; save again." });
      } else setMsg({ ok: false, text: (e as Error).message });
    }
  };
  if (!call) return msg ? <p class="error">{msg.text}</p> : <p>Loading the call…</p>;
  const now = Date.now();
  const open = !!call.opens_at && Date.parse(call.opens_at) <= now && (!call.closes_at || Date.parse(call.closes_at) > now);
  const set = (k: keyof typeof f) => (e: Event) => setF({ ...f, [k]: (e.target as HTMLInputElement).value });
  const joinURL = `/e/${ctx.a.event.slug}/join`;
  return (
    <section aria-labelledby="call-h">
      <h2 id="call-h">Open call</h2>
      <div class="card">
        <p class="callstate">
          The call is <strong>{open ? "open" : "closed"}</strong>
          {call.opens_at && Date.parse(call.opens_at) > now && <> (opens {when(call.opens_at)})</>}
          {open && call.closes_at && <> until {when(call.closes_at)}</>}
          {!open && call.closes_at && Date.parse(call.closes_at) <= now && <> (closed {when(call.closes_at)})</>}.{" "}
          Sign-up page: <a href={joinURL}>{joinURL}</a>
          {ctx.a.event.status === "draft" && <span class="muted"> (works once the event is published)</span>}
        </p>
        <div class="row">
          {!open && (
            <button type="button" class="primary" onClick={() => save({ opens_at: new Date().toISOString(), closes_at: null })}>
              Open now
            </button>
          )}
          {open && (
            <button type="button" onClick={() => save({ closes_at: new Date().toISOString() })}>
              Close now
            </button>
          )}
        </div>
      </div>
      <form
        class="card grid2"
        onSubmit={(e) => {
          e.preventDefault();
          save({ opens_at: instant(f.opens), closes_at: instant(f.closes), consent_version: f.version, consent_text: f.text });
        }}
      >
        <label>
          Opens (your local time; empty: not open)
          <input type="datetime-local" name="opens_at" value={f.opens} onInput={set("opens")} />
        </label>
        <label>
          Closes (empty: until further notice)
          <input type="datetime-local" name="closes_at" value={f.closes} onInput={set("closes")} />
        </label>
        <label class="wide">
          Consent text (empty: the join page's own text, translated into every language, version 1)
          <textarea name="consent_text" rows={4} maxLength={10000} value={f.text} onInput={set("text")} />
        </label>
        <label>
          Consent version (change it when the text changes: applicants must agree to the current one)
          <input name="consent_version" required maxLength={50} value={f.version} onInput={set("version")} />
        </label>
        <div class="wide row">
          <button type="submit" class="primary">
            Save the call
          </button>
          {msg && (
            <span class={msg.ok ? "ok" : "error"} role={msg.ok ? "status" : "alert"}>
              {msg.text}
            </span>
          )}
        </div>
      </form>
    </section>
  );
}

interface Filter {
  status: string;
  country: string;
  region: string;
  kind: string;
}

function Queue({ ctx }: { ctx: Ctx }) {
  const [filter, setFilter] = useState<Filter>({ status: "unconfirmed,pending", country: "", region: "", kind: "" });
  const [apps, setApps] = useState<Application[]>([]);
  const [total, setTotal] = useState(0);
  const [next, setNext] = useState("");
  const [error, setError] = useState("");
  const [tick, setTick] = useState(0);
  const query = (after = "") => {
    const q = new URLSearchParams();
    if (filter.status) q.set("status", filter.status);
    if (filter.country) q.set("country", filter.country.toUpperCase());
    if (filter.region) q.set("region", filter.region);
    if (filter.kind) q.set("kind", filter.kind);
    if (after) q.set("after", after);
    return path(ctx, `/applications?${q}`);
  };
  const load = async (after = "") => {
    setError("");
    try {
      const page = await get<{ applications: Application[]; total: number; next: string }>(query(after));
      setApps((old) => (after ? [...old, ...page.applications] : page.applications));
      setTotal(page.total);
      setNext(page.next);
    } catch (e) {
      setError((e as Error).message);
    }
  };
  useEffect(() => {
    void load();
  }, [filter, tick, ctx.a.event.id]);
  const reload = () => setTick((n) => n + 1);
  const set = (k: keyof Filter) => (e: Event) => setFilter({ ...filter, [k]: (e.target as HTMLInputElement).value });
  const byID = new Map(apps.map((a) => [a.id, a]));
  return (
    <section aria-labelledby="q-h">
      <h2 id="q-h">Applications</h2>
      <form class="inline filters" onSubmit={(e) => (e.preventDefault(), reload())} aria-label="Filter the applications">
        <label>
          Status
          <select name="status" value={filter.status} onChange={set("status")}>
            <option value="unconfirmed,pending">waiting for review</option>
            <option value="">any</option>
            {statuses.map((s) => (
              <option value={s}>{s}</option>
            ))}
          </select>
        </label>
        <label>
          Country (code)
          <input name="country" size={4} maxLength={2} placeholder="UA" value={filter.country} onChange={set("country")} />
        </label>
        <label>
          Region
          <select name="region" value={filter.region} onChange={set("region")}>
            <option value="">any</option>
            {regions.map(([code, name]) => (
              <option value={code}>{name}</option>
            ))}
          </select>
        </label>
        <label>
          Kind
          <select name="kind" value={filter.kind} onChange={set("kind")}>
            <option value="">any</option>
            {kinds.map((k) => (
              <option value={k}>{k}</option>
            ))}
          </select>
        </label>
        <button type="submit">Refresh</button>
      </form>
      <p class="muted" role="status">
        {total} application{total === 1 ? "" : "s"} match.
      </p>
      {error && (
        <p class="error" role="alert">
          {error}
        </p>
      )}
      <ul class="apps">
        {apps.map((a) => (
          <AppCard ctx={ctx} app={a} dup={a.duplicate_of ? byID.get(a.duplicate_of) : undefined} onDone={reload} />
        ))}
      </ul>
      {next && (
        <button type="button" onClick={() => load(next)}>
          Show more
        </button>
      )}
      <ClearFlood ctx={ctx} onDone={reload} />
    </section>
  );
}

function AppCard({ ctx, app, dup, onDone }: { ctx: Ctx; app: Application; dup?: Application; onDone: () => void }) {
  const [mode, setMode] = useState<"" | "accept" | "decline" | "merge">("");
  const [error, setError] = useState("");
  const act = async (what: string, body: unknown) => {
    setError("");
    try {
      await post(path(ctx, `/applications/${encodeURIComponent(app.id)}/${what}`), body);
      setMode("");
      onDone();
    } catch (e) {
      setError((e as Error).message);
    }
  };
  const undecided = app.status === "unconfirmed" || app.status === "pending";
  const canAccept = undecided || app.status === "declined" || app.status === "spam";
  const org = app.organization_id ? ctx.a.organizations.find((o) => o.id === app.organization_id) : undefined;
  return (
    <li class="card app" data-application={app.id}>
      <div class="row">
        <strong class="orgname">{app.organization_name}</strong>
        <span class={`chip is-${app.status}`}>{app.status}</span>
        <span>{countryName(app.country)}</span>
        <span class="muted">{app.kind}</span>
        {app.endorse && <span class="chip">endorses{app.show_publicly ? ", named" : ", counted only"}</span>}
        {app.wants_slot && <span class="chip is-invited">asks to speak</span>}
        <span class="muted small">received {when(app.created_at)}</span>
      </div>
      <dl class="appdata">
        {app.website && (
          <>
            <dt>Website</dt>
            <dd>{/^https?:\/\//i.test(app.website) ? <a href={app.website} rel="noopener noreferrer nofollow" target="_blank">{app.website}</a> : app.website}</dd>
          </>
        )}
        <dt>Contact</dt>
        <dd>
          {app.contact_name} · {app.contact_email} {app.confirmed_at ? <span class="muted">(confirmed)</span> : <span class="muted">(not confirmed)</span>}
        </dd>
        {app.wants_slot && (
          <>
            <dt>Speaker</dt>
            <dd>
              {app.speaker_name} · {app.speaker_language}
              {app.speaker_timezone && <> · {app.speaker_timezone}</>}
            </dd>
          </>
        )}
        {app.note && (
          <>
            <dt>Note</dt>
            <dd class="note">{app.note}</dd>
          </>
        )}
        {app.duplicate_of && (
          <>
            <dt>Duplicate of</dt>
            <dd>
              {dup ? `${dup.organization_name} (${dup.status})` : app.duplicate_of}{" "}
              {canAccept && (
                <button type="button" onClick={() => act("merge", { into: app.duplicate_of })}>
                  Merge into it
                </button>
              )}
            </dd>
          </>
        )}
        {app.merged_into && (
          <>
            <dt>Merged into</dt>
            <dd>{app.merged_into}</dd>
          </>
        )}
        {app.decision_note && (
          <>
            <dt>Decision</dt>
            <dd>
              {app.decision_note} <span class="muted">({app.decided_by})</span>
            </dd>
          </>
        )}
        {app.status === "accepted" && (
          <>
            <dt>Added</dt>
            <dd>
              {org ? `organization ${org.name}` : app.organization_id ? "organization" : "no organization"}
              {app.speaker_id && ", speaker"}
              {app.slot_id && ", invited slot"}
            </dd>
          </>
        )}
      </dl>
      <div class="row">
        {canAccept && (
          <button type="button" class="primary" aria-expanded={mode === "accept"} onClick={() => setMode(mode === "accept" ? "" : "accept")}>
            Accept…
          </button>
        )}
        {app.status !== "merged" && app.status !== "declined" && (
          <button type="button" aria-expanded={mode === "decline"} onClick={() => setMode(mode === "decline" ? "" : "decline")}>
            Decline…
          </button>
        )}
        {canAccept && (
          <button type="button" aria-expanded={mode === "merge"} onClick={() => setMode(mode === "merge" ? "" : "merge")}>
            Merge…
          </button>
        )}
      </div>
      {mode === "accept" && <AcceptForm ctx={ctx} app={app} onAccept={(body) => act("accept", body)} />}
      {mode === "decline" && <DeclineForm onDecline={(body) => act("decline", body)} />}
      {mode === "merge" && <MergeForm app={app} onMerge={(body) => act("merge", body)} />}
      {error && (
        <p class="error" role="alert">
          {error}
        </p>
      )}
    </li>
  );
}

function AcceptForm({ ctx, app, onAccept }: { ctx: Ctx; app: Application; onAccept: (body: unknown) => void }) {
  const [f, setF] = useState({
    organization_id: "",
    speaker: app.wants_slot,
    stage_id: "",
    slot_title: app.wants_slot ? app.organization_name : "",
    minutes: "5",
    note: "",
  });
  const set = (k: keyof typeof f) => (e: Event) => setF({ ...f, [k]: (e.target as HTMLInputElement).value });
  const orgs = [...ctx.a.organizations].sort((a, b) => a.name.localeCompare(b.name));
  return (
    <form
      class="grid2 decision"
      aria-label={`Accept ${app.organization_name}`}
      onSubmit={(e) => {
        e.preventDefault();
        onAccept({
          organization_id: f.organization_id || undefined,
          speaker: f.speaker,
          stage_id: f.speaker && f.stage_id ? f.stage_id : undefined,
          slot_title: f.speaker && f.stage_id ? f.slot_title : undefined,
          duration_seconds: f.speaker && f.stage_id ? Math.round(Number(f.minutes) * 60) : undefined,
          note: f.note || undefined,
        });
      }}
    >
      <label>
        Organization
        <select name="organization_id" value={f.organization_id} onChange={set("organization_id")}>
          <option value="">{app.kind === "personality" ? "none (a personality)" : "find by name and country, or create"}</option>
          {orgs.map((o) => (
            <option value={o.id}>link: {o.name}</option>
          ))}
        </select>
      </label>
      <label class="check">
        <input type="checkbox" name="speaker" checked={f.speaker} onChange={(e) => setF({ ...f, speaker: (e.target as HTMLInputElement).checked })} />
        Create a speaker{app.speaker_name ? ` (${app.speaker_name})` : ""}
      </label>
      {f.speaker && (
        <>
          <label>
            Invited slot on stage
            <select name="stage_id" value={f.stage_id} onChange={set("stage_id")}>
              <option value="">no slot yet</option>
              {ctx.a.stages.map((s) => (
                <option value={s.id}>{s.name}</option>
              ))}
            </select>
          </label>
          {f.stage_id && (
            <>
              <label>
                Slot title
                <input name="slot_title" maxLength={200} value={f.slot_title} onInput={set("slot_title")} />
              </label>
              <label>
                Minutes
                <input name="minutes" type="number" min={1} max={1440} value={f.minutes} onInput={set("minutes")} />
              </label>
            </>
          )}
        </>
      )}
      <label class="wide">
        Private note
        <input name="note" maxLength={2000} value={f.note} onInput={set("note")} />
      </label>
      <div class="wide">
        <button type="submit" class="primary">
          Accept
        </button>
      </div>
    </form>
  );
}

function DeclineForm({ onDecline }: { onDecline: (body: unknown) => void }) {
  const [note, setNote] = useState("");
  const [spam, setSpam] = useState(false);
  return (
    <form
      class="inline decision"
      aria-label="Decline"
      onSubmit={(e) => {
        e.preventDefault();
        onDecline({ note, spam });
      }}
    >
      <label>
        Private note
        <input name="decline_note" maxLength={2000} value={note} onInput={(e) => setNote((e.target as HTMLInputElement).value)} />
      </label>
      <label class="check">
        <input type="checkbox" name="spam" checked={spam} onChange={(e) => setSpam((e.target as HTMLInputElement).checked)} />
        It is spam
      </label>
      <button type="submit" class="danger">
        Decline
      </button>
    </form>
  );
}

function MergeForm({ app, onMerge }: { app: Application; onMerge: (body: unknown) => void }) {
  const [into, setInto] = useState(app.duplicate_of);
  const [note, setNote] = useState("");
  return (
    <form
      class="inline decision"
      aria-label="Merge"
      onSubmit={(e) => {
        e.preventDefault();
        onMerge({ into: into.trim(), note });
      }}
    >
      <label>
        Merge into (application id)
        <input name="into" required value={into} onInput={(e) => setInto((e.target as HTMLInputElement).value)} />
      </label>
      <label>
        Private note
        <input name="merge_note" maxLength={2000} value={note} onInput={(e) => setNote((e.target as HTMLInputElement).value)} />
      </label>
      <button type="submit">Merge</button>
    </form>
  );
}

function ClearFlood({ ctx, onDone }: { ctx: Ctx; onDone: () => void }) {
  const [since, setSince] = useState(local(new Date(Date.now() - 3600e3).toISOString()));
  const [which, setWhich] = useState<Record<string, boolean>>({ unconfirmed: true, spam: true, pending: false });
  const [msg, setMsg] = useState("");
  return (
    <details class="card clear">
      <summary>Clear a flood of applications</summary>
      <form
        class="inline"
        onSubmit={async (e) => {
          e.preventDefault();
          const statuses = Object.keys(which).filter((k) => which[k]);
          if (!confirm(`Delete every ${statuses.join(", ")} application received since ${since.replace("T", " ")}? This cannot be undone.`)) return;
          try {
            const r = await request<{ deleted: number }>("POST", path(ctx, "/applications/clear"), { since: instant(since), statuses });
            setMsg(`${r.data.deleted} deleted.`);
            onDone();
          } catch (err) {
            setMsg((err as Error).message);
          }
        }}
      >
        <label>
          Received since
          <input type="datetime-local" name="since" required value={since} onInput={(e) => setSince((e.target as HTMLInputElement).value)} />
        </label>
        {Object.keys(which).map((k) => (
          <label class="check">
            <input type="checkbox" checked={which[k]} onChange={(e) => setWhich({ ...which, [k]: (e.target as HTMLInputElement).checked })} />
            {k}
          </label>
        ))}
        <button type="submit" class="danger">
          Clear
        </button>
        {msg && <span role="status">{msg}</span>}
      </form>
      <p class="muted small">Accepted and declined applications are never cleared.</p>
    </details>
  );
}
