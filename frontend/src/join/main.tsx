// The join page /e/{slug}/join: organizations and personalities answer the act's
// open call (endorse it, ask to send a speaker, or both), and, with ?confirm=,
// confirm their e-mail address. Below the form, who endorses the act already.

import { render } from "preact";
import { useEffect, useMemo, useState } from "preact/hooks";
import "./join.css";
import type { PublicEvent } from "../lib/agenda";
import type { ApplicationFields } from "../lib/application";
import { EndorserList, kindKey, useEndorsers } from "../lib/endorsers";
import { browserZone, country, date, language, time } from "../lib/format";
import { lang, pick, t, use, type Key } from "../lib/i18n";
import { LanguagePicker } from "../lib/ui";

const slug = decodeURIComponent(location.pathname.split("/")[2] ?? "");
const api = `/api/v1/public/events/${encodeURIComponent(slug)}`;

interface Call {
  open: boolean;
  reason: string;
  opens_at: string | null;
  closes_at: string | null;
  consent_version: string;
  consent_text: string;
  email_confirmation: boolean;
  kinds: string[];
}

interface FieldError {
  field: string;
  message: string;
}

class Problem extends Error {
  constructor(
    public status: number,
    public type: string,
    public detail: string,
    public errors: FieldError[],
  ) {
    super(detail);
  }
}

async function call<T>(method: string, url: string, body?: unknown): Promise<T> {
  const res = await fetch(url, {
    method,
    headers: body === undefined ? { Accept: "application/json" } : { Accept: "application/json", "Content-Type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
    credentials: "omit",
    cache: "no-store",
  });
  const data = await res.json().catch(() => ({}));
  if (!res.ok) {
    const errors: FieldError[] = data.errors ?? (data.field ? [{ field: data.field, message: data.detail ?? "" }] : []);
    throw new Problem(res.status, data.type ?? "", data.detail ?? data.title ?? `HTTP ${res.status}`, errors);
  }
  return data as T;
}

/** Every ISO 3166-1 country, by code; their names come from Intl in the page's language. */
const countryCodes = (
  "ADAEAFAGAIALAMAOAQARASATAUAWAXAZBABBBDBEBFBGBHBIBJBLBMBNBOBQBRBSBTBVBWBYBZCACCCDCFCGCHCICKCLCMCNCOCRCUCVCWCXCYCZDEDJDKDMDODZ" +
  "ECEEEGEHERESETFIFJFKFMFOFRGAGBGDGEGFGGGHGIGLGMGNGPGQGRGSGTGUGWGYHKHMHNHRHTHUIDIEILIMINIOIQIRISITJEJMJOJPKEKGKHKIKMKNKPKRKWKYKZ" +
  "LALBLCLILKLRLSLTLULVLYMAMCMDMEMFMGMHMKMLMMMNMOMPMQMRMSMTMUMVMWMXMYMZNANCNENFNGNINLNONPNRNUNZOMPAPEPFPGPHPKPLPMPNPRPSPTPWPYQARE" +
  "RORSRURWSASBSCSDSESGSHSISJSKSLSMSNSOSRSSSTSVSXSYSZTCTDTFTGTHTJTKTLTMTNTOTRTTTVTWTZUAUGUMUSUYUZVAVCVEVGVIVNVUWFWSYEYTZAZMZW"
).match(/../g)!;

/** Languages a proposed speaker may speak, the most frequent at such acts first. */
const speakerLanguages = "en es pt fr uk ru ar de it pl tr fa he hi ur bn zh ja ko id sw am ha yo zu el ro hu cs sk bg sr hr sl lt lv et fi sv no da nl ka hy az kk be ca eu gl ku ps ta tl vi th ms".split(" ");

interface Form extends ApplicationFields {
  consent: boolean;
  fax: string;
}

const blank = (): Form => ({
  organization_name: "",
  country: "",
  kind: "",
  website: "",
  contact_name: "",
  contact_email: "",
  endorse: true,
  show_publicly: true,
  wants_slot: false,
  speaker_name: "",
  speaker_language: "",
  speaker_timezone: browserZone(),
  note: "",
  consent: false,
  fax: "",
});

/** hints are the client's own checks: the server checks everything again. */
function hints(f: Form): Record<string, string> {
  const e: Record<string, string> = {};
  if (f.organization_name.trim().length < 2) e.organization_name = t("errRequired");
  if (!f.country) e.country = t("errRequired");
  if (!f.kind) e.kind = t("errRequired");
  if (!f.contact_name.trim()) e.contact_name = t("errRequired");
  if (!/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(f.contact_email.trim())) e.contact_email = t("errEmail");
  if (!f.endorse && !f.wants_slot) e.endorse = t("errEndorseOrSlot");
  if (f.wants_slot && !f.speaker_name.trim()) e.speaker_name = t("errRequired");
  if (f.wants_slot && !f.speaker_language) e.speaker_language = t("errRequired");
  if (!f.consent) e.consent = t("errConsent");
  return e;
}

function App() {
  const [, relabel] = useState(0);
  const [event, setEvent] = useState<PublicEvent | null>(null);
  const confirm = new URLSearchParams(location.search).get("confirm");
  useEffect(() => {
    call<{ event: PublicEvent }>("GET", api)
      .then((a) => setEvent(a.event))
      .catch(() => {});
  }, []);
  useEffect(() => {
    if (event) document.title = `${t("joinTitle")} · ${event.title} · Tribune`;
  }, [event?.title, lang]);
  return (
    <>
      <header class="top">
        <div class="wrap">
          {event && (
            <p class="event">
              <a href={`/e/${encodeURIComponent(slug)}`}>{event.title}</a>
              <span class="muted">
                {" · "}
                {date(Date.parse(event.starts_at), event.timezone)}
              </span>
            </p>
          )}
          <h1>{confirm ? t("confirmTitle") : t("joinTitle")}</h1>
          <div class="tools">
            <LanguagePicker onChange={() => relabel((n) => n + 1)} />
          </div>
        </div>
      </header>
      <main class="wrap" id="main">
        {confirm ? <Confirm token={confirm} /> : <Join />}
      </main>
    </>
  );
}

function Confirm({ token }: { token: string }) {
  const [what, setWhat] = useState<{ organization_name: string; event_title: string; status: string } | null>(null);
  const [state, setState] = useState<"loading" | "ready" | "busy" | "done" | "invalid" | "failed">("loading");
  useEffect(() => {
    call<{ organization_name: string; event_title: string; status: string }>(
      "GET",
      `/api/v1/public/applications/confirm?token=${encodeURIComponent(token)}`,
    )
      .then((w) => {
        setWhat(w);
        setState(w.status === "unconfirmed" ? "ready" : "done");
      })
      .catch((e) => setState(e instanceof Problem && e.status === 404 ? "invalid" : "failed"));
  }, [token]);
  const send = async () => {
    setState("busy");
    try {
      setWhat(await call("POST", "/api/v1/public/applications/confirm", { token }));
      setState("done");
    } catch (e) {
      setState(e instanceof Problem && e.status === 404 ? "invalid" : "failed");
    }
  };
  if (state === "loading") return <p role="status">{t("loading")}</p>;
  return (
    <section class="card confirm" aria-live="polite">
      {what && state !== "invalid" && (
        <p>{t("confirmWhat", { org: what.organization_name, event: what.event_title })}</p>
      )}
      {(state === "ready" || state === "busy") && (
        <button type="button" class="primary" disabled={state === "busy"} onClick={send}>
          {t("confirmApplication")}
        </button>
      )}
      {state === "done" && (
        <p class="ok" role="status">
          {t("confirmDone")}
        </p>
      )}
      {state === "invalid" && (
        <p class="error" role="alert">
          {t("confirmInvalid")}
        </p>
      )}
      {state === "failed" && (
        <p class="error" role="alert">
          {t("errServer")}
        </p>
      )}
      <p>
        <a href={`/e/${encodeURIComponent(slug)}`}>{t("backToAct")}</a>
      </p>
    </section>
  );
}

type Sent = { confirmation: string; email: string };

function Join() {
  const [c, setC] = useState<Call | null>(null);
  const [failed, setFailed] = useState(false);
  const [sent, setSent] = useState<Sent | null>(null);
  const [reload, setReload] = useState(0);
  const [closedMeanwhile, setClosedMeanwhile] = useState(false);
  const endorsers = useEndorsers(slug, reload);
  const load = () =>
    call<Call>("GET", `${api}/call`)
      .then(setC)
      .catch(() => setFailed(true));
  useEffect(() => {
    load();
  }, []);
  if (!c) return <p role="status">{failed ? t("loadFailed") : t("loading")}</p>;
  return (
    <>
      {sent ? (
        <Thanks sent={sent} again={() => (setSent(null), setReload((n) => n + 1))} />
      ) : c.open ? (
        <JoinForm c={c} onSent={setSent} reloadCall={load} onClosed={() => (setClosedMeanwhile(true), load())} />
      ) : (
        <>
          {closedMeanwhile && (
            <p class="error notice" role="alert">
              {t("errClosed")}
            </p>
          )}
          <Closed c={c} />
        </>
      )}
      <EndorserList list={endorsers} />
    </>
  );
}

function when(iso: string): string {
  const ms = Date.parse(iso);
  const tz = browserZone();
  return `${date(ms, tz)}, ${time(ms, tz)}`;
}

function Closed({ c }: { c: Call }) {
  const now = Date.now();
  const text =
    c.opens_at && Date.parse(c.opens_at) > now
      ? t("callOpensAt", { date: when(c.opens_at) })
      : c.closes_at && Date.parse(c.closes_at) <= now
        ? t("callClosedAt", { date: when(c.closes_at) })
        : t("callNotOpen");
  return (
    <p class="card closed" role="status">
      {text}
    </p>
  );
}

function Thanks({ sent, again }: { sent: Sent; again: () => void }) {
  const key: Key = sent.confirmation === "email" ? "thanksEmail" : sent.confirmation === "failed" ? "thanksFailed" : "thanksNone";
  return (
    <section class="card thanks" role="status" aria-labelledby="thanks-h">
      <h2 id="thanks-h">{t("thanksTitle")}</h2>
      <p>{t(key, { email: sent.email })}</p>
      <p>
        <a href={`/e/${encodeURIComponent(slug)}`}>{t("backToAct")}</a>
        {" · "}
        <button type="button" class="link" onClick={again}>
          {t("applyAgain")}
        </button>
      </p>
    </section>
  );
}

function JoinForm({ c, onSent, reloadCall, onClosed }: { c: Call; onSent: (s: Sent) => void; reloadCall: () => void; onClosed: () => void }) {
  const [f, setF] = useState<Form>(blank);
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [notice, setNotice] = useState("");
  const [busy, setBusy] = useState(false);
  const countries = useMemo(
    () => countryCodes.map((cc) => [cc, country(cc)] as const).sort((a, b) => a[1].localeCompare(b[1], lang)),
    [lang],
  );
  const languages = useMemo(() => speakerLanguages.map((l) => [l, language(l)] as const), [lang]);
  const zones = useMemo(() => {
    let all: string[] = [];
    try {
      all = (Intl as any).supportedValuesOf("timeZone") as string[];
    } catch {
      // an old browser: the browser's own zone and UTC
    }
    return [...new Set([browserZone(), "UTC", ...all])];
  }, []);

  const text = (k: keyof Form) => (e: Event) => setF((old) => ({ ...old, [k]: (e.target as HTMLInputElement).value }));
  const check = (k: keyof Form) => (e: Event) => setF((old) => ({ ...old, [k]: (e.target as HTMLInputElement).checked }));

  const submit = async (e: Event) => {
    e.preventDefault();
    setNotice("");
    const found = hints(f);
    setErrors(found);
    if (Object.keys(found).length > 0) {
      setNotice(t("fixErrors"));
      focusFirst(found);
      return;
    }
    setBusy(true);
    try {
      const body = {
        ...f,
        organization_name: f.organization_name.trim(),
        contact_email: f.contact_email.trim(),
        speaker_name: f.wants_slot ? f.speaker_name : "",
        speaker_language: f.wants_slot ? f.speaker_language : "",
        speaker_timezone: f.wants_slot ? f.speaker_timezone : "",
        consent_version: c.consent_version,
        locale: lang,
      };
      const r = await call<{ confirmation: string }>("POST", `${api}/applications`, body);
      onSent({ confirmation: r.confirmation, email: body.contact_email });
    } catch (err) {
      if (!(err instanceof Problem)) {
        setNotice(t("errServer"));
      } else if (err.status === 400 && err.errors.length > 0) {
        const got: Record<string, string> = {};
        for (const fe of err.errors) {
          const k = fe.field === "consent_version" ? "consent" : fe.field;
          if (!got[k]) got[k] = fe.field === "consent_version" ? t("errConsentChanged") : serverHint(fe);
        }
        if (got.consent && err.errors.some((fe) => fe.field === "consent_version")) {
          setF((old) => ({ ...old, consent: false }));
          reloadCall();
        }
        setErrors(got);
        setNotice(t("fixErrors"));
        focusFirst(got);
      } else if (err.status === 409) {
        onClosed();
      } else if (err.status === 429) {
        setNotice(err.type.endsWith("call-busy") ? t("errBusy") : t("errTooMany"));
      } else if (err.status === 413) {
        setNotice(t("errTooLong"));
      } else {
        setNotice(t("errServer"));
      }
    } finally {
      setBusy(false);
    }
  };

  const field = (name: keyof Form, label: string, input: preact.JSX.Element, hint?: string) => (
    <div class={`field${errors[name] ? " has-error" : ""}`} data-field={name}>
      <label for={`f-${name}`}>{label}</label>
      {hint && (
        <p class="hint" id={`h-${name}`}>
          {hint}
        </p>
      )}
      {input}
      <FieldError name={name} errors={errors} />
    </div>
  );
  const described = (name: string, hint = false) =>
    [hint ? `h-${name}` : "", errors[name] ? `e-${name}` : ""].filter(Boolean).join(" ") || undefined;

  return (
    <form class="join" onSubmit={submit} noValidate aria-describedby="join-intro">
      <p id="join-intro">{t("joinIntro")}</p>
      {c.closes_at && <p class="muted">{t("callOpenUntil", { date: when(c.closes_at) })}</p>}

      <fieldset>
        <legend>{t("sectionWho")}</legend>
        {field(
          "organization_name",
          t("orgName"),
          <input
            id="f-organization_name"
            name="organization_name"
            required
            maxLength={200}
            autocomplete="organization"
            value={f.organization_name}
            onInput={text("organization_name")}
            aria-invalid={!!errors.organization_name}
            aria-describedby={described("organization_name")}
          />,
        )}
        {field(
          "country",
          t("country"),
          <select
            id="f-country"
            name="country"
            required
            value={f.country}
            onChange={text("country")}
            aria-invalid={!!errors.country}
            aria-describedby={described("country")}
          >
            <option value="">{t("chooseCountry")}</option>
            {countries.map(([cc, name]) => (
              <option value={cc}>{name}</option>
            ))}
          </select>,
        )}
        {field(
          "kind",
          t("kind"),
          <select id="f-kind" name="kind" required value={f.kind} onChange={text("kind")} aria-invalid={!!errors.kind} aria-describedby={described("kind")}>
            <option value="">{t("chooseKind")}</option>
            {c.kinds.map((k) => (
              <option value={k}>{t(kindKey(k))}</option>
            ))}
          </select>,
        )}
        {field(
          "website",
          t("website"),
          <input
            id="f-website"
            name="website"
            type="url"
            inputMode="url"
            maxLength={2000}
            autocomplete="url"
            placeholder="https://"
            value={f.website}
            onInput={text("website")}
            aria-invalid={!!errors.website}
            aria-describedby={described("website", true)}
          />,
          t("websiteHint"),
        )}
      </fieldset>

      <fieldset>
        <legend>{t("sectionContact")}</legend>
        <p class="hint">{t("contactPrivate")}</p>
        {field(
          "contact_name",
          t("contactName"),
          <input
            id="f-contact_name"
            name="contact_name"
            required
            maxLength={200}
            autocomplete="name"
            value={f.contact_name}
            onInput={text("contact_name")}
            aria-invalid={!!errors.contact_name}
            aria-describedby={described("contact_name")}
          />,
        )}
        {field(
          "contact_email",
          t("contactEmail"),
          <input
            id="f-contact_email"
            name="contact_email"
            type="email"
            required
            maxLength={254}
            autocomplete="email"
            value={f.contact_email}
            onInput={text("contact_email")}
            aria-invalid={!!errors.contact_email}
            aria-describedby={described("contact_email", c.email_confirmation)}
          />,
          c.email_confirmation ? t("emailConfirmHint") : undefined,
        )}
      </fieldset>

      <fieldset>
        <legend>{t("sectionWhat")}</legend>
        <div class={`field${errors.endorse ? " has-error" : ""}`} data-field="endorse">
          <label class="check">
            <input id="f-endorse" type="checkbox" name="endorse" checked={f.endorse} onChange={check("endorse")} aria-describedby={described("endorse")} />
            <span>{t("endorseCall")}</span>
          </label>
          {f.endorse && (
            <label class="check sub">
              <input type="checkbox" name="show_publicly" checked={f.show_publicly} onChange={check("show_publicly")} />
              <span>{t("showPublicly")}</span>
            </label>
          )}
          <label class="check">
            <input type="checkbox" name="wants_slot" checked={f.wants_slot} onChange={check("wants_slot")} />
            <span>{t("wantsSlot")}</span>
          </label>
          <FieldError name="endorse" errors={errors} />
          <FieldError name="show_publicly" errors={errors} />
          <FieldError name="wants_slot" errors={errors} />
        </div>
        {f.wants_slot && (
          <div class="speaker">
            {field(
              "speaker_name",
              t("speakerName"),
              <input
                id="f-speaker_name"
                name="speaker_name"
                required
                maxLength={200}
                value={f.speaker_name}
                onInput={text("speaker_name")}
                aria-invalid={!!errors.speaker_name}
                aria-describedby={described("speaker_name", true)}
              />,
              t("speakerNameHint"),
            )}
            {field(
              "speaker_language",
              t("speakerLanguage"),
              <select
                id="f-speaker_language"
                name="speaker_language"
                required
                value={f.speaker_language}
                onChange={text("speaker_language")}
                aria-invalid={!!errors.speaker_language}
                aria-describedby={described("speaker_language")}
              >
                <option value="">{t("chooseLanguage")}</option>
                {languages.map(([code, name]) => (
                  <option value={code}>{name}</option>
                ))}
              </select>,
            )}
            {field(
              "speaker_timezone",
              t("speakerTimezone"),
              <select
                id="f-speaker_timezone"
                name="speaker_timezone"
                value={f.speaker_timezone}
                onChange={text("speaker_timezone")}
                aria-invalid={!!errors.speaker_timezone}
                aria-describedby={described("speaker_timezone")}
              >
                {zones.map((z) => (
                  <option value={z}>{z}</option>
                ))}
              </select>,
            )}
          </div>
        )}
        {field(
          "note",
          t("noteToOrganizers"),
          <textarea
            id="f-note"
            name="note"
            rows={4}
            maxLength={2000}
            value={f.note}
            onInput={text("note")}
            aria-invalid={!!errors.note}
            aria-describedby={described("note", true)}
          />,
          t("notePrivate"),
        )}
      </fieldset>

      <fieldset>
        <legend>{t("sectionConsent")}</legend>
        <div class="consent" id="consent-text">
          {c.consent_text ? c.consent_text.split(/\n{2,}/).map((p) => <p>{p}</p>) : <p>{t("consentDefault")}</p>}
        </div>
        <div class={`field${errors.consent ? " has-error" : ""}`} data-field="consent">
          <label class="check">
            <input
              id="f-consent"
              type="checkbox"
              name="consent"
              required
              checked={f.consent}
              onChange={check("consent")}
              aria-invalid={!!errors.consent}
              aria-describedby={["consent-text", errors.consent ? "e-consent" : ""].filter(Boolean).join(" ")}
            />
            <span>{t("consentAgree")}</span>
          </label>
          <FieldError name="consent" errors={errors} />
        </div>
      </fieldset>

      {/* The honeypot: people never see it nor reach it; robots fill it. */}
      <div class="hp" aria-hidden="true" inert>
        <label>
          Fax
          <input type="text" name="fax" tabIndex={-1} autocomplete="off" value={f.fax} onInput={text("fax")} />
        </label>
      </div>

      {notice && (
        <p class="error notice" role="alert">
          {notice}
        </p>
      )}
      <FieldError name="locale" errors={errors} />
      <button type="submit" class="primary" disabled={busy}>
        {busy ? t("sending") : t("send")}
      </button>
    </form>
  );
}

/** serverHint is the server's word on a field, in the page's language where we have one. */
function serverHint(fe: FieldError): string {
  if (fe.field === "website") return t("errUrl");
  if (fe.field === "contact_email") return t("errEmail");
  return fe.message;
}

function FieldError({ name, errors }: { name: string; errors: Record<string, string> }) {
  if (!errors[name]) return null;
  return (
    <p class="field-error" id={`e-${name}`}>
      {errors[name]}
    </p>
  );
}

/** focusFirst moves the focus to the first field with an error, in the form's order. */
function focusFirst(errors: Record<string, string>) {
  setTimeout(() => {
    const el = [...document.querySelectorAll<HTMLElement>("form.join [data-field]")].find((d) => errors[d.dataset.field!]);
    el?.querySelector<HTMLElement>("input, select, textarea")?.focus();
  }, 0);
}

async function main() {
  await use(pick());
  render(<App />, document.getElementById("app")!);
}

void main();
