// Warnings, the balance of speaking time, the change history, members and the
// event's settings (with publishing).

import { useEffect, useState } from "preact/hooks";
import { del, get, patch, post } from "./api";
import { path, type Ctx } from "./event";

export function Warnings({ ctx }: { ctx: Ctx }) {
  const slots = new Map(ctx.a.slots.map((s) => [s.id, s]));
  return (
    <section aria-labelledby="w-h">
      <h2 id="w-h">Warnings ({ctx.warnings.length})</h2>
      {ctx.warnings.length === 0 && <p>Nothing to look at.</p>}
      <ul class="warnings">
        {ctx.warnings.map((w) => (
          <li class={`card kind-${w.kind}`}>
            <span class="chip is-warn">{w.kind.replace(/_/g, " ")}</span> {w.message}
            {w.slot_id && slots.get(w.slot_id) && <span class="muted"> · {slots.get(w.slot_id)!.title}</span>}
          </li>
        ))}
      </ul>
    </section>
  );
}

interface Share {
  key: string;
  name: string;
  slots: number;
  seconds: number;
  speakers: number;
  share: number;
}

export function Balance({ ctx }: { ctx: Ctx }) {
  const [b, setB] = useState<{ total_seconds: number; countries: Share[]; continents: Share[]; organizations: Share[] } | null>(null);
  const [error, setError] = useState("");
  useEffect(() => {
    get(path(ctx, "/balance"))
      .then((r) => setB(r.balance))
      .catch((e) => setError(e.message));
  }, [ctx.a.version]);
  if (error) return <p class="error">{error}</p>;
  if (!b) return <p>Loading…</p>;
  return (
    <section aria-labelledby="b-h">
      <h2 id="b-h">Balance of speaking time</h2>
      <p class="muted">{Math.round(b.total_seconds / 60)} minutes of confirmed speaking time.</p>
      <div class="charts">
        <Chart title="By continent" shares={b.continents} />
        <Chart title="By country" shares={b.countries} />
        <Chart title="By organization" shares={b.organizations} />
      </div>
    </section>
  );
}

function Chart({ title, shares }: { title: string; shares: Share[] }) {
  const max = Math.max(0.0001, ...shares.map((s) => s.share));
  return (
    <figure class="card chart">
      <figcaption>{title}</figcaption>
      <table class="bars">
        <tbody>
          {shares.map((s) => (
            <tr>
              <th scope="row">{s.name || s.key}</th>
              <td>
                <span class="barfill" style={{ width: `${(s.share / max) * 100}%` }} aria-hidden="true" />
                <span class="val">
                  {Math.round(s.share * 100)}% · {Math.round(s.seconds / 60)} min · {s.speakers} {s.speakers === 1 ? "speaker" : "speakers"}
                </span>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </figure>
  );
}

interface ChangeEntry {
  version: number;
  at: string;
  actor: string;
  summary: string;
}

export function History({ ctx }: { ctx: Ctx }) {
  const [changes, setChanges] = useState<ChangeEntry[]>([]);
  useEffect(() => {
    get<{ changes: ChangeEntry[] }>(path(ctx, `/changes?since=${Math.max(0, ctx.a.version - 100)}&limit=100`))
      .then((r) => setChanges(r.changes.reverse()))
      .catch(() => {});
  }, [ctx.a.version]);
  return (
    <section aria-labelledby="h-h">
      <h2 id="h-h">History</h2>
      <table class="table">
        <thead>
          <tr>
            <th scope="col">Version</th>
            <th scope="col">When</th>
            <th scope="col">Who</th>
            <th scope="col">What</th>
          </tr>
        </thead>
        <tbody>
          {changes.map((c) => (
            <tr>
              <td>{c.version}</td>
              <td>{new Date(c.at).toLocaleString("en-GB")}</td>
              <td>{c.actor}</td>
              <td>{c.summary}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}

interface Member {
  user_id: string;
  email: string;
  role: string;
}

export function Members({ ctx }: { ctx: Ctx }) {
  const [members, setMembers] = useState<Member[] | null>(null);
  const [error, setError] = useState("");
  const [email, setEmail] = useState("");
  const [role, setRole] = useState("editor");
  const load = () =>
    get<Member[]>(path(ctx, "/members"))
      .then(setMembers)
      .catch((e) => setError(e.status === 403 ? "Only the event's owners see and change its members." : e.message));
  useEffect(() => {
    load();
  }, []);
  return (
    <section aria-labelledby="m-h">
      <h2 id="m-h">Members</h2>
      {error && <p class="error">{error}</p>}
      {members && (
        <table class="table">
          <thead>
            <tr>
              <th scope="col">E-mail</th>
              <th scope="col">Role</th>
              <th scope="col"><span class="visually-hidden">Actions</span></th>
            </tr>
          </thead>
          <tbody>
            {members.map((m) => (
              <tr>
                <td>{m.email}</td>
                <td>{m.role}</td>
                <td>
                  <button type="button" onClick={() => del(path(ctx, `/members/${m.user_id}`)).then(load, (e) => setError(e.message))}>
                    Remove
                  </button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <form
        class="card inline"
        onSubmit={async (e) => {
          e.preventDefault();
          setError("");
          try {
            await post(path(ctx, "/members"), { email, role });
            setEmail("");
            load();
          } catch (err) {
            setError((err as Error).message);
          }
        }}
      >
        <label>
          E-mail of an existing user
          <input type="email" required value={email} onInput={(e) => setEmail((e.target as HTMLInputElement).value)} />
        </label>
        <label>
          Role
          <select value={role} onChange={(e) => setRole((e.target as HTMLSelectElement).value)}>
            <option value="owner">owner</option>
            <option value="editor">editor</option>
            <option value="stage">stage manager</option>
          </select>
        </label>
        <button type="submit" class="primary">
          Add
        </button>
      </form>
    </section>
  );
}

export function Settings({ ctx }: { ctx: Ctx }) {
  const e = ctx.a.event;
  const [f, setF] = useState({ title: e.title, slug: e.slug, description: e.description, timezone: e.timezone, stream_url: e.stream_url, languages: e.languages.join(", ") });
  const [msg, setMsg] = useState("");
  const save = async (body: Record<string, unknown>) => {
    setMsg("");
    try {
      await patch(path(ctx), body, e.revision);
      setMsg("Saved.");
    } catch (err) {
      setMsg((err as Error).message);
    }
  };
  const set = (k: keyof typeof f) => (ev: Event) => setF({ ...f, [k]: (ev.target as HTMLInputElement).value });
  return (
    <section aria-labelledby="s-h">
      <h2 id="s-h">Settings</h2>
      <div class="card">
        <p>
          This event is <strong>{e.status}</strong>.{" "}
          {e.status === "draft" ? "Viewers cannot see it yet." : "Viewers see it at "}
          {e.status !== "draft" && <a href={`/e/${e.slug}`}>/e/{e.slug}</a>}
        </p>
        {e.status === "draft" ? (
          <button type="button" class="primary" onClick={() => save({ status: "published" })}>
            Publish
          </button>
        ) : (
          <button type="button" onClick={() => save({ status: "draft" })}>
            Unpublish
          </button>
        )}
      </div>
      <form
        class="card grid2"
        onSubmit={(ev) => {
          ev.preventDefault();
          save({ ...f, languages: f.languages.split(/[\s,]+/).filter(Boolean) });
        }}
      >
        <label>
          Title
          <input required value={f.title} onInput={set("title")} />
        </label>
        <label>
          Address (slug)
          <input required value={f.slug} onInput={set("slug")} />
        </label>
        <label>
          Time zone
          <input required value={f.timezone} onInput={set("timezone")} />
        </label>
        <label>
          Stream link
          <input type="url" value={f.stream_url} onInput={set("stream_url")} />
        </label>
        <label>
          Languages
          <input value={f.languages} onInput={set("languages")} />
        </label>
        <label class="wide">
          Description
          <textarea rows={4} value={f.description} onInput={set("description")} />
        </label>
        <button type="submit" class="primary">
          Save
        </button>
      </form>
      <p role="status">{msg}</p>
      <p class="muted small">
        Broadcast overlay for OBS: <code>/e/{e.slug}/overlay?next=1&amp;clock=1</code> (1920×1080, transparent).
      </p>
    </section>
  );
}
