// The embeddable widget, /embed.js. A partner site adds
//
//   <script src="https://tribune.example.org/embed.js" data-event="slug"></script>
//
// and gets a compact live "now / next" and the running order where the script
// stands, inside a shadow root, so that neither page's styles reach the other.
// The script finds Tribune's origin from its own src and reads the public API
// and the public feed there (both allow any origin). Optional attributes:
//   data-lang   a language (else the page's <html lang>, else the browser's)
//   data-tz     an IANA time zone (else the browser's)
//   data-stage  a stage's id or name (else the stage that runs)
//   data-order  "none" hides the running order
//   data-theme  "light" (default), "dark" or "auto" (the reader's preference)
//   data-target a CSS selector of the element to render into (else after the script)
// The custom properties --tribune-accent and --tribune-max-height on the
// <tribune-schedule> element are the only styles a partner can pass in.

import { render } from "preact";
import { useEffect, useRef, useState } from "preact/hooks";
import catalogs from "virtual:embed-catalogs";
import css from "./embed.css?inline";
import type { EmbedKey } from "./keys";
import { primaryShow, project, type Agenda, type Organization, type Projected, type Speaker, type StageShow } from "../lib/agenda";
import { Feed, fetchAgenda, now, wsURL, type FeedState } from "../lib/feed";
import { browserZone, clock, country, day, dayKey, minutes, time, zoneName } from "../lib/format";
import { lang, rtl, setLang } from "../lib/locale";

interface Config {
  origin: string;
  slug: string;
  tz: string;
  stage: string | null;
  order: boolean;
  theme: string;
}

let catalog = catalogs.en;

function t(key: EmbedKey, vars?: Record<string, string | number>): string {
  let s = catalog[key] ?? catalogs.en[key] ?? key;
  if (vars) s = s.replace(/\{(\w+)\}/g, (m, k) => (k in vars ? String(vars[k]) : m));
  return s;
}

/** pickLang chooses data-lang, then the page's language, then the browser's, then English. */
function pickLang(script: HTMLScriptElement): string {
  for (const l of [script.dataset.lang, document.documentElement.lang, ...navigator.languages]) {
    const base = l?.toLowerCase().split("-")[0];
    if (base && base in catalogs) return base;
  }
  return "en";
}

function validZone(tz: string | undefined): string | null {
  if (!tz) return null;
  try {
    new Intl.DateTimeFormat("en", { timeZone: tz });
    return tz;
  } catch {
    return null;
  }
}

/** useNow re-renders every second with the clock corrected by the feed. */
function useNow(): number {
  const [n, setN] = useState(now());
  useEffect(() => {
    const id = setInterval(() => setN(now()), 1000);
    return () => clearInterval(id);
  }, []);
  return n;
}

interface Ctx {
  cfg: Config;
  a: Agenda;
  speakers: Map<string, Speaker>;
  orgs: Map<string, Organization>;
}

function Widget({ cfg }: { cfg: Config }) {
  const [a, setA] = useState<Agenda | null>(null);
  const [state, setState] = useState<FeedState>("connecting");
  const n = useNow();
  useEffect(() => {
    const api = `${cfg.origin}/api/v1/public/events/${encodeURIComponent(cfg.slug)}`;
    const feed = new Feed<Agenda>({
      url: (since) => wsURL(`${api}/live${since === null ? "" : `?since=${since}`}`),
      poll: (etag) => fetchAgenda<Agenda>(api, etag),
      onAgenda: setA,
      onState: setState,
    });
    feed.start();
    return () => feed.stop();
  }, []);

  const dir = rtl.has(lang) ? "rtl" : "ltr";
  const cls = `w theme-${cfg.theme}`;
  if (!a) {
    return (
      <section class={cls} lang={lang} dir={dir}>
        <p class="muted" role="status">
          {state === "reconnecting" ? t("loadFailed") : t("loading")}
        </p>
      </section>
    );
  }
  const ctx: Ctx = {
    cfg,
    a,
    speakers: new Map(a.speakers.map((s) => [s.id, s])),
    orgs: new Map(a.organizations.map((o) => [o.id, o])),
  };
  const shows = project(a, n);
  const wanted = cfg.stage?.toLowerCase();
  const stageID = a.stages.find((s) => s.id === cfg.stage || s.name.toLowerCase() === wanted)?.id;
  const show = primaryShow(shows, stageID);
  const page = `${cfg.origin}/e/${encodeURIComponent(a.event.slug)}`;
  return (
    <section class={cls} lang={lang} dir={dir} aria-label={a.event.title} data-state={state}>
      <header class="hd">
        <a class="ev" href={page} target="_blank" rel="noopener">
          {a.event.title}
        </a>
        {show && shows.length > 1 && <span class="muted"> · {show.stage.name}</span>}
      </header>
      {state === "reconnecting" && (
        <p class="conn" role="status">
          {t("reconnecting")}
        </p>
      )}
      {show ? (
        <>
          <NowNext ctx={ctx} show={show} n={n} />
          {cfg.order && <Order ctx={ctx} show={show} />}
        </>
      ) : (
        <p>{t("noSlots")}</p>
      )}
      <footer class="ft">
        <span>{t("timesIn", { zone: `${cfg.tz} (${zoneName(n, cfg.tz)})` })}</span>
        {a.event.stream_url && (
          <a href={a.event.stream_url} target="_blank" rel="noopener">
            {t("watch")}
          </a>
        )}
      </footer>
    </section>
  );
}

function NowNext({ ctx, show, n }: { ctx: Ctx; show: StageShow; n: number }) {
  const { current, next } = show;
  const running = show.state === "running" || show.state === "paused";
  const d = show.delay;
  return (
    <div class="nn" aria-label={t("nowAndNext")} role="group">
      {running && (
        <p class={`delay${d >= 60 ? " late" : ""}`}>{t(d >= 60 ? "late" : d <= -60 ? "early" : "onTime", { m: minutes(d) })}</p>
      )}
      {show.state === "ended" ? (
        <div class="card">
          <p class="label">{t("ended")}</p>
        </div>
      ) : current ? (
        <div class="card now" data-slot={current.slot.id}>
          <p class="label">
            <span class="dot" aria-hidden="true" />
            {show.state === "paused" ? t("paused") : t("onStage")}
          </p>
          <Head ctx={ctx} p={current} />
          <p class="count">
            {current.due! >= n ? t("endsIn", { t: clock((current.due! - n) / 1000) }) : t("overBy", { t: clock((n - current.due!) / 1000) })}
          </p>
        </div>
      ) : (
        <div class="card">
          <p class="label">{t("notStarted")}</p>
        </div>
      )}
      {next && show.state !== "ended" && (
        <div class="card next" data-slot={next.slot.id}>
          <p class="label">
            {t("upNext")} · <time dateTime={new Date(next.start).toISOString()}>{time(next.start, ctx.cfg.tz)}</time>
          </p>
          <Head ctx={ctx} p={next} />
          <p class="count">{next.start > n ? t("startsIn", { t: clock((next.start - n) / 1000) }) : t("startsSoon")}</p>
        </div>
      )}
    </div>
  );
}

function people(ctx: Ctx, p: Projected): Speaker[] {
  return p.slot.speakers.map((s) => ctx.speakers.get(s.speaker_id)).filter((s): s is Speaker => !!s);
}

function Head({ ctx, p }: { ctx: Ctx; p: Projected }) {
  return (
    <>
      <p class="title">{p.slot.title}</p>
      {people(ctx, p).map((sp) => (
        <p class="who" key={sp.id}>
          <Flag ctx={ctx} code={sp.country} />
          <span class="name">{sp.name}</span>
          {sp.organization_id && ctx.orgs.has(sp.organization_id) && <span class="muted"> · {ctx.orgs.get(sp.organization_id)!.name}</span>}
        </p>
      ))}
    </>
  );
}

function Flag({ ctx, code }: { ctx: Ctx; code?: string }) {
  if (!code || !/^[a-z]{2}$/i.test(code)) return null;
  return (
    <img class="flag" src={`${ctx.cfg.origin}/flags/${code.toLowerCase()}.svg`} alt={country(code)} title={country(code)} width={16} height={12} loading="lazy" />
  );
}

function Order({ ctx, show }: { ctx: Ctx; show: StageShow }) {
  const list = useRef<HTMLOListElement>(null);
  const currentID = show.current?.slot.id;
  // Keep the slot on stage in view inside the list (never scrolls the partner's page).
  useEffect(() => {
    const ol = list.current;
    const li = ol?.querySelector<HTMLElement>(".is-current") ?? ol?.querySelector<HTMLElement>(".is-pending");
    if (ol && li) ol.scrollTop = Math.max(0, li.offsetTop - 4);
  }, [currentID]);
  const tz = ctx.cfg.tz;
  const first = dayKey(Date.parse(ctx.a.event.starts_at), tz);
  return (
    <section class="order" aria-label={t("runningOrder")}>
      <p class="label" aria-hidden="true">
        {t("runningOrder")}
      </p>
      <ol ref={list}>
        {show.slots.map((p) => (
          <li key={p.slot.id} class={`is-${p.status}`} data-slot={p.slot.id}>
            <time dateTime={new Date(p.start).toISOString()}>
              {dayKey(p.start, tz) !== first ? day(p.start, tz) + " " : ""}
              {time(p.start, tz)}
            </time>
            <span class="body">
              <span class="title">{p.slot.title}</span>
              {p.status === "current" && <span class="badge">{t("live")}</span>}
              {p.status === "skipped" && <span class="badge">{t("skipped")}</span>}
              {p.status === "done" && <span class="hidden"> ({t("done")})</span>}
              {people(ctx, p).length > 0 && (
                <span class="who">
                  {people(ctx, p).map((sp, i) => (
                    <span key={sp.id}>
                      {i > 0 && ", "}
                      {sp.name}
                    </span>
                  ))}
                </span>
              )}
            </span>
          </li>
        ))}
      </ol>
    </section>
  );
}

/** mount renders one widget for one <script data-event> element. */
function mount(script: HTMLScriptElement) {
  if (script.dataset.tribuneMounted) return;
  script.dataset.tribuneMounted = "1";
  const slug = script.dataset.event;
  if (!slug) {
    console.warn("Tribune widget: add data-event=\"<the event's slug>\" to the script element");
    return;
  }
  const l = pickLang(script);
  catalog = catalogs[l];
  setLang(l);
  const cfg: Config = {
    origin: new URL(script.src, location.href).origin,
    slug,
    tz: validZone(script.dataset.tz) ?? browserZone(),
    stage: script.dataset.stage || null,
    order: script.dataset.order !== "none",
    theme: ["dark", "auto"].includes(script.dataset.theme ?? "") ? script.dataset.theme! : "light",
  };
  const host = document.createElement("tribune-schedule");
  const root = host.attachShadow({ mode: "open" });
  // A constructed style sheet is not an inline <style>, so a partner's CSP need not allow those.
  if ("adoptedStyleSheets" in root && typeof CSSStyleSheet.prototype.replaceSync === "function") {
    const sheet = new CSSStyleSheet();
    sheet.replaceSync(css);
    root.adoptedStyleSheets = [sheet];
  } else {
    const style = document.createElement("style");
    style.textContent = css;
    root.appendChild(style);
  }
  const box = document.createElement("div");
  root.appendChild(box);
  render(<Widget cfg={cfg} />, box);

  const place = () => {
    const target = script.dataset.target ? document.querySelector(script.dataset.target) : null;
    if (target) target.appendChild(host);
    else if (script.parentNode && !script.closest("head")) script.parentNode.insertBefore(host, script.nextSibling);
    else document.body.appendChild(host);
  };
  if (document.readyState === "loading" && (script.dataset.target || script.closest("head"))) {
    document.addEventListener("DOMContentLoaded", place, { once: true });
  } else place();
}

// document.currentScript is set only while this script first runs: read it now.
const self = document.currentScript as HTMLScriptElement | null;
const script =
  self ??
  [...document.querySelectorAll<HTMLScriptElement>("script[data-event]")].find(
    (s) => /\/embed\.js(?:[?#]|$)/.test(s.src) && !s.dataset.tribuneMounted,
  );
if (script) mount(script);
