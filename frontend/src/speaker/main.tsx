// The speaker page /s/{token}: the speaker's slots in their own timezone and the
// event's, confirm or decline with a note, the public profile with its hide
// flags, and a green room that counts down to their turn and shows the stage
// manager's messages. The token in the path is sent as a Bearer token, and to the
// green-room websocket as a subprotocol.

import { render } from "preact";
import { useEffect, useMemo, useState } from "preact/hooks";
import "./speaker.css";
import { project, type Agenda, type LiveView, type PublicEvent, type Speaker, type StageMessage } from "../lib/agenda";
import { Feed, now, wsURL, type FeedState } from "../lib/feed";
import { browserZone, clock, dateTime, language, zoneName } from "../lib/format";
import { pick, t, use } from "../lib/i18n";
import { Flag, LanguagePicker, useNow } from "../lib/ui";

const token = decodeURIComponent(location.pathname.split("/")[2] ?? "");

interface Profile {
  id: string;
  name: string;
  country: string;
  organization_id: string;
  bio: string;
  photo_url: string;
  timezone: string;
  languages: string[];
  contact_email: string;
  hide_country: boolean;
  hide_organization: boolean;
  hide_photo: boolean;
  revision: number;
}

interface MySlot {
  id: string;
  stage_id: string;
  title: string;
  kind: string;
  duration_seconds: number;
  planned_start: string;
  language: string;
  stage_name: string;
  role: string;
  status: "invited" | "confirmed" | "declined";
  note: string;
  live_status: string;
  projected_start: string;
  projected_end: string;
  co_speakers: Speaker[];
}

interface View {
  version: number;
  speaker: Profile;
  event: PublicEvent;
  slots: MySlot[];
  live: LiveView;
}

class Problem extends Error {
  constructor(
    public status: number,
    public detail: string,
    public body: any,
  ) {
    super(detail);
  }
}

async function call(method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<View> {
  const res = await fetch(`/api/v1/speaker${path}`, {
    method,
    headers: {
      Authorization: `Bearer ${token}`,
      Accept: "application/json",
      ...(body === undefined ? {} : { "Content-Type": "application/json" }),
      ...headers,
    },
    body: body === undefined ? undefined : JSON.stringify(body),
    cache: "no-store",
  });
  const data = await res.json().catch(() => ({}));
  if (!res.ok) throw new Problem(res.status, data.detail ?? data.title ?? `HTTP ${res.status}`, data);
  return data as View;
}

function App() {
  const [v, setV] = useState<View | null>(null);
  const [err, setErr] = useState<Problem | null>(null);
  const [pub, setPub] = useState<Agenda | null>(null);
  const [state, setState] = useState<FeedState>("connecting");
  const [messages, setMessages] = useState<StageMessage[]>([]);
  const [, relabel] = useState(0);

  useEffect(() => {
    call("GET", "")
      .then(setV)
      .catch((e) => setErr(e instanceof Problem ? e : new Problem(0, String(e), null)));
  }, []);

  useEffect(() => {
    if (!v) return;
    let refresh = 0;
    const feed = new Feed<Agenda>({
      url: (since) => wsURL(`/api/v1/speaker/live${since === null ? "" : `?since=${since}`}`),
      protocols: ["tribune", token],
      onAgenda: (a, m) => {
        setPub(a);
        if (m?.messages?.length) setMessages((old) => [...m.messages!, ...old].slice(0, 20));
        // Someone changed one of my slots: read my view again (once for a burst of changes).
        if (m?.type === "change" && (m.upsert?.slots || m.delete?.slots || m.upsert?.speakers)) {
          clearTimeout(refresh);
          refresh = window.setTimeout(() => call("GET", "").then(setV).catch(() => {}), 300);
        }
      },
      onState: setState,
    });
    feed.start();
    return () => feed.stop();
  }, [!!v]);

  if (err) {
    return (
      <main class="wrap">
        <h1>{t("speakerTitle")}</h1>
        <p class="error" role="alert">
          {err.status === 401 ? t("linkInvalid") : t("loadFailed")}
        </p>
      </main>
    );
  }
  if (!v) {
    return (
      <main class="wrap">
        <p role="status">{t("loading")}</p>
      </main>
    );
  }
  const tz = v.speaker.timezone || browserZone();
  return (
    <>
      <header class="top">
        <div class="wrap">
          <p class="label">{v.event.title}</p>
          <h1>{t("hello", { name: v.speaker.name })}</h1>
          <LanguagePicker onChange={() => relabel((n) => n + 1)} />
        </div>
      </header>
      <p class={`conn conn-${state}`} role="status" aria-live="polite">
        {state === "reconnecting" ? t("reconnecting") : ""}
      </p>
      <main class="wrap">
        <GreenRoom v={v} pub={pub} messages={messages} tz={tz} />
        <section aria-labelledby="slots-h">
          <h2 id="slots-h">{t("yourSlots")}</h2>
          {v.slots.length === 0 && <p>{t("noSlotsYet")}</p>}
          {v.slots.map((s) => (
            <SlotCard slot={s} ev={v.event} tz={tz} onView={setV} />
          ))}
        </section>
        <ProfileForm v={v} onView={setV} />
      </main>
    </>
  );
}

/** GreenRoom counts down to the speaker's next slot from the live public feed. */
function GreenRoom({ v, pub, messages, tz }: { v: View; pub: Agenda | null; messages: StageMessage[]; tz: string }) {
  const n = useNow(1000);
  const mine = new Set(v.slots.filter((s) => s.status !== "declined").map((s) => s.id));
  let status: "onStage" | "youAreNext" | "startsIn" | "none" = "none";
  let start = 0;
  let title = "";
  if (pub) {
    for (const show of project(pub, n)) {
      if (show.current && mine.has(show.current.slot.id)) {
        status = "onStage";
        title = show.current.slot.title;
        break;
      }
      const pending = show.slots.filter((p) => p.status === "pending" && mine.has(p.slot.id));
      if (pending.length === 0) continue;
      const first = pending[0];
      if (status === "none" || first.start < start) {
        start = first.start;
        title = first.slot.title;
        status = show.next?.slot.id === first.slot.id && show.current ? "youAreNext" : "startsIn";
      }
    }
  } else {
    const next = v.slots.find((s) => s.live_status === "pending" && s.status !== "declined");
    if (next) {
      status = "startsIn";
      start = Date.parse(next.projected_start);
      title = next.title;
    }
  }
  return (
    <section class={`green card is-${status}`} aria-labelledby="green-h">
      <h2 id="green-h">{t("greenRoom")}</h2>
      {status === "onStage" && <p class="big">{t("youAreOnStage")}</p>}
      {status === "youAreNext" && <p class="big">{t("youAreNext")}</p>}
      {(status === "startsIn" || status === "youAreNext") && (
        <p class="count">
          {title}: {start > n ? t("startsIn", { t: clock((start - n) / 1000) }) : t("startsSoon")}
          <span class="muted"> · {dateTime(start, tz)}</span>
        </p>
      )}
      {status === "onStage" && <p class="count">{title}</p>}
      {status === "none" && <p>{t("nothingScheduled")}</p>}
      <div aria-live="assertive" class="messages">
        {messages.length > 0 && <h3>{t("messages")}</h3>}
        <ul>
          {messages.map((m) => (
            <li class="message">
              <time dateTime={m.at}>{dateTime(Date.parse(m.at), tz)}</time> <strong>{m.text}</strong>
            </li>
          ))}
        </ul>
      </div>
    </section>
  );
}

function SlotCard({ slot, ev, tz, onView }: { slot: MySlot; ev: PublicEvent; tz: string; onView: (v: View) => void }) {
  const [note, setNote] = useState(slot.note);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState("");
  const start = Date.parse(slot.projected_start);
  const answer = async (what: "confirm" | "decline") => {
    setBusy(true);
    setError("");
    try {
      onView(await call("POST", `/slots/${encodeURIComponent(slot.id)}/${what}`, { note }));
    } catch (e) {
      setError(e instanceof Problem ? e.detail : String(e));
    } finally {
      setBusy(false);
    }
  };
  const noteID = `note-${slot.id}`;
  return (
    <article class="card slotcard" data-slot={slot.id} aria-labelledby={`t-${slot.id}`}>
      <h3 id={`t-${slot.id}`}>{slot.title}</h3>
      <p class={`status is-${slot.status}`}>{t(slot.status)}</p>
      <dl>
        <dt>{t("yourTime")}</dt>
        <dd>
          {dateTime(start, tz)} <span class="muted">({tz})</span>
        </dd>
        {ev.timezone !== tz && (
          <>
            <dt>{t("eventTime")}</dt>
            <dd>
              {dateTime(start, ev.timezone)} <span class="muted">({ev.timezone})</span>
            </dd>
          </>
        )}
        <dt>{t("length")}</dt>
        <dd>{Math.round(slot.duration_seconds / 60)} min</dd>
        <dt>{t("stage")}</dt>
        <dd>{slot.stage_name}</dd>
        <dt>{t("role")}</dt>
        <dd>{slot.role === "moderator" ? t("moderator") : t("speaker")}</dd>
        {slot.language && (
          <>
            <dt>{t("language")}</dt>
            <dd>{language(slot.language)}</dd>
          </>
        )}
        {slot.co_speakers.length > 0 && (
          <>
            <dt>{t("withSpeakers")}</dt>
            <dd>
              {slot.co_speakers.map((c) => (
                <span class="co">
                  {c.name} <Flag code={c.country} label={false} />
                </span>
              ))}
            </dd>
          </>
        )}
      </dl>
      <label for={noteID}>{t("noteToOrganizers")}</label>
      <textarea id={noteID} rows={2} maxLength={1000} value={note} onInput={(e) => setNote((e.target as HTMLTextAreaElement).value)} />
      <div class="actions">
        <button type="button" class="primary" disabled={busy} onClick={() => answer("confirm")}>
          {t("confirm")}
        </button>
        <button type="button" disabled={busy} onClick={() => answer("decline")}>
          {t("decline")}
        </button>
      </div>
      {error && (
        <p class="error" role="alert">
          {error}
        </p>
      )}
    </article>
  );
}

function ProfileForm({ v, onView }: { v: View; onView: (v: View) => void }) {
  const p = v.speaker;
  const [f, setF] = useState({
    name: p.name,
    bio: p.bio,
    photo_url: p.photo_url,
    timezone: p.timezone,
    languages: p.languages.join(", "),
    hide_country: p.hide_country,
    hide_organization: p.hide_organization,
    hide_photo: p.hide_photo,
  });
  const [msg, setMsg] = useState<{ ok: boolean; text: string } | null>(null);
  const zones = useMemo(() => {
    try {
      return (Intl as any).supportedValuesOf("timeZone") as string[];
    } catch {
      return [p.timezone || "UTC"];
    }
  }, []);
  const set = (k: keyof typeof f) => (e: Event) => {
    const el = e.target as HTMLInputElement;
    setF({ ...f, [k]: el.type === "checkbox" ? el.checked : el.value });
  };
  const save = async (e: Event) => {
    e.preventDefault();
    setMsg(null);
    try {
      const body = {
        ...f,
        languages: f.languages
          .split(/[,\s]+/)
          .map((s) => s.trim())
          .filter(Boolean),
      };
      const next = await call("PATCH", "/profile", body, { "If-Match": `"${p.revision}"` });
      onView(next);
      setMsg({ ok: true, text: t("saved") });
    } catch (err) {
      if (err instanceof Problem && err.status === 412) {
        setMsg({ ok: false, text: t("staleProfile") });
        call("GET", "").then(onView).catch(() => {});
      } else setMsg({ ok: false, text: err instanceof Problem ? err.detail : String(err) });
    }
  };
  return (
    <section aria-labelledby="profile-h">
      <h2 id="profile-h">{t("yourProfile")}</h2>
      <p class="muted">{t("profileIntro")}</p>
      <form class="card profile" onSubmit={save}>
        <label>
          {t("publicName")}
          <input value={f.name} onInput={set("name")} required maxLength={200} />
        </label>
        <label>
          {t("bio")}
          <textarea rows={4} value={f.bio} onInput={set("bio")} maxLength={2000} />
        </label>
        <label>
          {t("photoURL")}
          <input type="url" value={f.photo_url} onInput={set("photo_url")} placeholder="https://" />
        </label>
        <label>
          {t("timezone")}
          <select value={f.timezone} onChange={set("timezone")}>
            {!zones.includes(f.timezone) && <option value={f.timezone}>{f.timezone || "—"}</option>}
            {zones.map((z) => (
              <option value={z}>{z}</option>
            ))}
          </select>
        </label>
        <label>
          {t("languagesYouSpeak")}
          <input value={f.languages} onInput={set("languages")} placeholder="en, es" />
        </label>
        <fieldset>
          <legend>{t("hideTitle")}</legend>
          <p class="muted">{t("hideIntro")}</p>
          <label class="check">
            <input type="checkbox" checked={f.hide_country} onChange={set("hide_country")} />
            <span>
              {t("hideCountry")}
              {p.country && (
                <>
                  {" "}
                  (<Flag code={p.country} />)
                </>
              )}
            </span>
          </label>
          <label class="check">
            <input type="checkbox" checked={f.hide_organization} onChange={set("hide_organization")} />
            <span>{t("hideOrganization")}</span>
          </label>
          <label class="check">
            <input type="checkbox" checked={f.hide_photo} onChange={set("hide_photo")} />
            <span>{t("hidePhoto")}</span>
          </label>
        </fieldset>
        <button type="submit" class="primary">
          {t("saveProfile")}
        </button>
        {msg && (
          <p class={msg.ok ? "ok" : "error"} role={msg.ok ? "status" : "alert"}>
            {msg.text}
          </p>
        )}
      </form>
      <p class="muted small">{t("timesNote", { zone: `${browserZone()} (${zoneName(now(), browserZone())})` })}</p>
    </section>
  );
}

async function main() {
  await use(pick());
  render(<App />, document.getElementById("app")!);
}

void main();
