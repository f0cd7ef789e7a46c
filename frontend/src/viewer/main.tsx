// The viewer page /e/{slug}: now and next with countdowns, the running order with
// projected times in the viewer's timezone, live over the websocket feed (or by
// polling when the websocket cannot connect).

import { render } from "preact";
import { useEffect, useMemo, useState } from "preact/hooks";
import "./viewer.css";
import { primaryShow, project, type Agenda, type Organization, type Projected, type Speaker, type StageShow } from "../lib/agenda";
import { Feed, fetchAgenda, now, wsURL, type FeedState } from "../lib/feed";
import { browserZone, clock, country, date, day, dayKey, language, minutes, time, zoneName } from "../lib/format";
import { calendar, dataURL } from "../lib/ics";
import { pick, t, use, type Key } from "../lib/i18n";
import { Flag, LanguagePicker, Person, useNow } from "../lib/ui";
import { EndorserList, useEndorsers } from "../lib/endorsers";

const slug = decodeURIComponent(location.pathname.split("/")[2] ?? "");
const api = `/api/v1/public/events/${encodeURIComponent(slug)}`;

/** The agenda the server put in the page, so the first paint needs no request. */
function embedded(): Agenda | null {
  const el = document.getElementById("agenda");
  if (!el?.textContent) return null;
  try {
    return JSON.parse(el.textContent) as Agenda;
  } catch {
    return null;
  }
}

function savedZone(): string | null {
  try {
    return localStorage.getItem("tribune.tz");
  } catch {
    return null;
  }
}

interface Ctx {
  a: Agenda;
  tz: string;
  speakers: Map<string, Speaker>;
  orgs: Map<string, Organization>;
}

function App({ initial }: { initial: Agenda | null }) {
  const [a, setA] = useState<Agenda | null>(initial);
  const [state, setState] = useState<FeedState>("connecting");
  const [failed, setFailed] = useState(false);
  const [tz, setTz] = useState(savedZone() ?? browserZone());
  const [stageID, setStageID] = useState<string | null>(null);
  const [, relabel] = useState(0);

  useEffect(() => {
    const feed = new Feed<Agenda>({
      url: (since) => wsURL(`${api}/live${since === null ? "" : `?since=${since}`}`),
      poll: (etag) => fetchAgenda<Agenda>(api, etag),
      onAgenda: (next) => setA(next),
      onState: setState,
    });
    if (initial) feed.start(initial);
    else
      fetchAgenda<Agenda>(api, null)
        .then((got) => feed.start(got?.agenda, got?.etag))
        .catch(() => {
          setFailed(true);
          feed.start();
        });
    return () => feed.stop();
  }, []);

  const speakers = useMemo(() => new Map((a?.speakers ?? []).map((s) => [s.id, s])), [a?.speakers]);
  const orgs = useMemo(() => new Map((a?.organizations ?? []).map((o) => [o.id, o])), [a?.organizations]);
  useEffect(() => {
    if (a) document.title = `${a.event.title} · Tribune`;
  }, [a?.event.title]);

  if (!a) {
    return (
      <main class="wrap">
        <p role="status">{failed ? t("loadFailed") : t("loading")}</p>
      </main>
    );
  }
  const ctx: Ctx = { a, tz, speakers, orgs };
  const chooseZone = (z: string) => {
    setTz(z);
    try {
      localStorage.setItem("tribune.tz", z);
    } catch {
      // private mode
    }
  };
  return (
    <>
      <header class="top">
        <div class="wrap">
          <h1>{a.event.title}</h1>
          <p class="when">
            {date(Date.parse(a.event.starts_at), tz)} · {time(Date.parse(a.event.starts_at), tz)}
          </p>
          <div class="tools">
            <LanguagePicker onChange={() => relabel((n) => n + 1)} />
            <ZonePicker tz={tz} eventTz={a.event.timezone} onChange={chooseZone} />
          </div>
        </div>
      </header>
      <p class={`conn conn-${state}`} role="status" aria-live="polite">
        {state === "reconnecting" ? t("reconnecting") : ""}
      </p>
      <main class="wrap" id="main">
        <Show ctx={ctx} stageID={stageID} setStageID={setStageID} />
        <section class="about" aria-labelledby="about-h">
          <h2 id="about-h">{t("about")}</h2>
          {a.event.description.split(/\n{2,}/).map((p) => (
            <p>{p}</p>
          ))}
        </section>
        <Endorsement />
      </main>
      <footer class="wrap foot">
        <p>
          {t("timesIn", { zone: `${tz} (${zoneName(now(), tz)})` })}{" "}
          {tz !== a.event.timezone && t("eventZone", { zone: `${a.event.timezone} (${zoneName(now(), a.event.timezone)})` })}
        </p>
      </footer>
    </>
  );
}

/** Endorsement is who endorses the act, and the way to join them while the call is open. */
function Endorsement() {
  const list = useEndorsers(slug);
  const [open, setOpen] = useState(false);
  useEffect(() => {
    fetch(`${api}/call`)
      .then((r) => (r.ok ? r.json() : null))
      .then((c) => setOpen(!!c?.open))
      .catch(() => {});
  }, []);
  return (
    <>
      <EndorserList list={list} hideEmpty />
      {open && (
        <p class="joinlink">
          <a class="button" href={`/e/${encodeURIComponent(slug)}/join`}>
            {t("joinLink")}
          </a>
        </p>
      )}
    </>
  );
}

function ZonePicker({ tz, eventTz, onChange }: { tz: string; eventTz: string; onChange: (z: string) => void }) {
  const zones = useMemo(() => {
    const first = [browserZone(), eventTz, "UTC"];
    let all: string[] = [];
    try {
      all = (Intl as any).supportedValuesOf("timeZone") as string[];
    } catch {
      // an old browser: the three above
    }
    return [...new Set([...first, tz, ...all])];
  }, [eventTz, tz]);
  return (
    <label class="picker">
      <span>{t("timezone")}</span>
      <select value={tz} onChange={(e) => onChange((e.target as HTMLSelectElement).value)}>
        {zones.map((z) => (
          <option value={z}>
            {z === browserZone() ? `${z} · ${t("yourZone")}` : z === eventTz ? `${z} · ${t("eventZoneShort")}` : z}
          </option>
        ))}
      </select>
    </label>
  );
}

function Show({ ctx, stageID, setStageID }: { ctx: Ctx; stageID: string | null; setStageID: (id: string) => void }) {
  useNow(15000);
  const shows = project(ctx.a, now());
  const show = primaryShow(shows, stageID);
  if (!show) return <p>{t("noSlots")}</p>;
  return (
    <>
      {shows.length > 1 && (
        <nav class="stages" aria-label={t("stages")}>
          {shows.map((s) => (
            <button type="button" aria-pressed={s.stage.id === show.stage.id} onClick={() => setStageID(s.stage.id)}>
              {s.stage.name}
              {(s.state === "running" || s.state === "paused") && <span class="dot" aria-label={t("live")} />}
            </button>
          ))}
        </nav>
      )}
      <NowNext ctx={ctx} stageID={show.stage.id} />
      <div class="links">
        {ctx.a.event.stream_url && (
          <a class="button primary" href={ctx.a.event.stream_url} rel="noopener" target="_blank">
            {t("watch")}
          </a>
        )}
        <a class="button" href={`/e/${encodeURIComponent(ctx.a.event.slug)}/schedule.ics`}>
          {t("addToCalendar")}
        </a>
      </div>
      <section aria-labelledby="order-h">
        <h2 id="order-h">
          {t("runningOrder")}
          {shows.length > 1 && <span class="muted"> · {show.stage.name}</span>}
        </h2>
        <ol class="order">
          {show.slots.map((p) => (
            <Row ctx={ctx} p={p} />
          ))}
        </ol>
      </section>
    </>
  );
}

/** NowNext ticks every second: the countdowns and the delay. */
function NowNext({ ctx, stageID }: { ctx: Ctx; stageID: string }) {
  const n = useNow(1000);
  const show = project(ctx.a, n).find((s) => s.stage.id === stageID) as StageShow;
  const { current, next } = show;
  return (
    <section class="nownext" aria-label={t("nowAndNext")}>
      <Delay show={show} />
      {show.state === "ended" ? (
        <div class="card">
          <p class="label">{t("ended")}</p>
        </div>
      ) : current ? (
        <div class="card now">
          <p class="label">
            <span class="dot" aria-hidden="true" />
            {show.state === "paused" ? t("paused") : t("onStage")}
          </p>
          <SlotHead ctx={ctx} p={current} />
          <p class="count" aria-live="off">
            {current.due! >= n
              ? t("endsIn", { t: clock((current.due! - n) / 1000) })
              : t("overBy", { t: clock((n - current.due!) / 1000) })}
          </p>
        </div>
      ) : (
        <div class="card">
          <p class="label">{t("notStarted")}</p>
        </div>
      )}
      {next && (
        <div class="card next">
          <p class="label">{t("upNext")}</p>
          <SlotHead ctx={ctx} p={next} />
          <p class="count">
            {next.start > n ? t("startsIn", { t: clock((next.start - n) / 1000) }) : t("startsSoon")}
            <span class="muted"> · {time(next.start, ctx.tz)}</span>
          </p>
        </div>
      )}
    </section>
  );
}

function Delay({ show }: { show: StageShow }) {
  if (show.state !== "running" && show.state !== "paused") return null;
  const d = show.delay;
  const key: Key = d >= 60 ? "late" : d <= -60 ? "early" : "onTime";
  return <p class={`delay ${d >= 60 ? "is-late" : ""}`}>{t(key, { m: minutes(d) })}</p>;
}

function SlotHead({ ctx, p }: { ctx: Ctx; p: Projected }) {
  const people = p.slot.speakers.map((s) => ctx.speakers.get(s.speaker_id)).filter((s): s is Speaker => !!s);
  return (
    <div class="head">
      <p class="title">{p.slot.title}</p>
      {people.length > 0 && (
        <ul class="people">
          {people.map((sp) => (
            <li>
              <Person sp={sp} orgs={ctx.orgs} />
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}

function Row({ ctx, p }: { ctx: Ctx; p: Projected }) {
  const { slot } = p;
  const ev = ctx.a.event.timezone;
  const people = slot.speakers.map((s) => ({ ...s, sp: ctx.speakers.get(s.speaker_id) })).filter((s) => s.sp);
  const moved = p.status === "pending" && Math.abs(p.delay) >= 60;
  const otherDay = dayKey(p.start, ctx.tz) !== dayKey(Date.parse(ctx.a.event.starts_at), ctx.tz);
  return (
    <li class={`slot is-${p.status}`} data-slot={slot.id} id={`slot-${slot.id}`}>
      <div class="time">
        <time dateTime={new Date(p.start).toISOString()}>{otherDay ? day(p.start, ctx.tz) + " " : ""}{time(p.start, ctx.tz)}</time>
        {moved && <s class="planned" aria-label={t("planned")}>{time(Date.parse(slot.planned_start), ctx.tz)}</s>}
        {ctx.tz !== ev && (
          <span class="evtime" title={ev}>
            {time(p.start, ev)} {zoneName(p.start, ev)}
          </span>
        )}
      </div>
      <div class="body">
        <p class="title">
          {slot.title}
          {p.status === "current" && <span class="badge live">{t("onStage")}</span>}
          {p.status === "skipped" && <span class="badge">{t("skipped")}</span>}
          {p.status === "done" && <span class="visually-hidden"> ({t("done")})</span>}
        </p>
        {people.length > 0 && (
          <ul class="people">
            {people.map(({ sp, role }) => (
              <li>
                <Person sp={sp!} orgs={ctx.orgs} />
                {role === "moderator" && <span class="muted"> · {t("moderator")}</span>}
              </li>
            ))}
          </ul>
        )}
        <p class="meta">
          {Math.round(slot.duration_seconds / 60)} min
          {slot.language && (
            <>
              {" · "}
              {t("inLanguage", { lang: language(slot.language) })}
            </>
          )}
          {p.status === "pending" && (
            <>
              {" · "}
              <a
                class="cal"
                href={`/e/${encodeURIComponent(ctx.a.event.slug)}/schedule.ics`}
                download={`${fileName(ctx.a.event.slug)}-${fileName(slot.title)}.ics`}
                onClick={(e) => {
                  // Made at the click, with the projection of that moment.
                  (e.currentTarget as HTMLAnchorElement).href = dataURL(slotCalendar(ctx, slot.id));
                }}
              >
                {t("addToCalendar")}
                <span class="visually-hidden">: {slot.title}</span>
              </a>
            </>
          )}
        </p>
        {slot.interpretation.length > 0 && (
          <p class="meta interp">
            {t("interpretation")}:{" "}
            {slot.interpretation.map((i, n) => (
              <>
                {n > 0 && ", "}
                <a href={i.url} rel="noopener" target="_blank" lang={i.language}>
                  {language(i.language)}
                </a>
              </>
            ))}
          </p>
        )}
        {(slot.description || people.some(({ sp }) => sp!.bio)) && (
          <details>
            <summary>{t("more")}</summary>
            {slot.description && <p>{slot.description}</p>}
            {people.map(({ sp }) =>
              sp!.bio ? (
                <p class="bio">
                  <strong>{sp!.name}</strong>
                  {sp!.country && <Flag code={sp!.country} label={false} />}: {sp!.bio}
                </p>
              ) : null,
            )}
          </details>
        )}
      </div>
    </li>
  );
}

function fileName(s: string): string {
  return s.replace(/[^\p{L}\p{N}]+/gu, "-").replace(/^-|-$/g, "").slice(0, 60) || "slot";
}

/**
 * slotCalendar is one slot as an .ics file, saying what the whole schedule.ics
 * says of it: the same UID, projected times in UTC, the title with the speakers,
 * who they are, where to watch.
 */
function slotCalendar(ctx: Ctx, slotID: string): string {
  const p = project(ctx.a, now())
    .flatMap((s) => s.slots)
    .find((x) => x.slot.id === slotID)!;
  const { slot } = p;
  const people = slot.speakers.map((s) => ({ role: s.role, sp: ctx.speakers.get(s.speaker_id) })).filter((x) => x.sp);
  const persons = people.map(({ role, sp }) => {
    const org = sp!.organization_id ? ctx.orgs.get(sp!.organization_id)?.name : undefined;
    const from = [org, sp!.country ? country(sp!.country) : ""].filter(Boolean).join(", ");
    return sp!.name + (from ? ` — ${from}` : "") + (role === "moderator" ? ` (${t("moderator")})` : "");
  });
  const names = people.map(({ sp }) => sp!.name);
  const stage = ctx.a.stages.find((s) => s.id === slot.stage_id)?.name;
  const ev = ctx.a.event;
  return calendar({
    uid: `${slot.id}@${location.hostname}`,
    start: p.start,
    end: p.end,
    summary: names.length > 0 ? `${slot.title} — ${names.join(", ")}` : slot.title,
    description: [slot.description, persons.join("\n"), ev.stream_url ? `${t("watch")}: ${ev.stream_url}` : ""]
      .filter((x) => x.trim())
      .join("\n\n"),
    location: stage ? `${stage} · ${ev.title}` : ev.title,
    url: `${location.origin}/e/${encodeURIComponent(ev.slug)}#slot-${slot.id}`,
    sequence: ctx.a.version,
  });
}

async function main() {
  await use(pick());
  const initial = embedded();
  document.getElementById("shell")?.remove();
  render(<App initial={initial} />, document.getElementById("app")!);
}

void main();
