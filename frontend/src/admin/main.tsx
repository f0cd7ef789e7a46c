// The organizer console under /admin/: sign-in with a session cookie, the list
// of events, and one event's console (running order, live show, speakers,
// confirmations, warnings, balance, history, members, settings).

import { render } from "preact";
import { useEffect, useState } from "preact/hooks";
import "./admin.css";
import { get, login, logout, post, Problem, session, setOnUnauthorized, type User } from "./api";
import { EventConsole } from "./event";
import { go, usePath } from "./route";

function App() {
  const [user, setUser] = useState<User | null | undefined>(undefined);
  useEffect(() => {
    setOnUnauthorized(() => setUser(null));
    session()
      .then(setUser)
      .catch(() => setUser(null));
  }, []);
  const path = usePath();
  if (user === undefined) return <p class="pad">Loading…</p>;
  if (user === null) return <Login onUser={setUser} />;
  const m = path.match(/^\/admin\/e\/([^/]+)(?:\/([a-z]+))?/);
  return (
    <>
      <header class="bar">
        <a href="/admin/" class="brand" onClick={(e) => (e.preventDefault(), go("/admin/"))}>
          Tribune
        </a>
        <span class="spacer" />
        <span class="muted">{user.email}</span>
        <button
          type="button"
          onClick={async () => {
            await logout().catch(() => {});
            setUser(null);
          }}
        >
          Sign out
        </button>
      </header>
      {m ? <EventConsole id={decodeURIComponent(m[1])} tab={m[2] ?? "order"} /> : <Events />}
    </>
  );
}

function Login({ onUser }: { onUser: (u: User) => void }) {
  const [email, setEmail] = useState("");
  const [password, setPassword] = useState("");
  const [error, setError] = useState("");
  const [busy, setBusy] = useState(false);
  const submit = async (e: Event) => {
    e.preventDefault();
    setBusy(true);
    setError("");
    try {
      onUser(await login(email, password));
    } catch (err) {
      setError(err instanceof Problem && err.status === 401 ? "Wrong e-mail address or password." : String((err as Error).message));
    } finally {
      setBusy(false);
    }
  };
  return (
    <main class="login">
      <h1>Tribune · organizer console</h1>
      <form onSubmit={submit} class="card stack">
        <label>
          E-mail address
          <input type="email" name="email" autocomplete="username" required value={email} onInput={(e) => setEmail((e.target as HTMLInputElement).value)} />
        </label>
        <label>
          Password
          <input type="password" name="password" autocomplete="current-password" required value={password} onInput={(e) => setPassword((e.target as HTMLInputElement).value)} />
        </label>
        <button type="submit" class="primary" disabled={busy}>
          Sign in
        </button>
        {error && (
          <p class="error" role="alert">
            {error}
          </p>
        )}
      </form>
    </main>
  );
}

interface EventSummary {
  id: string;
  slug: string;
  title: string;
  starts_at: string;
  timezone: string;
  status: string;
}

function Events() {
  const [events, setEvents] = useState<EventSummary[] | null>(null);
  const [error, setError] = useState("");
  const load = () =>
    get<EventSummary[]>("/events")
      .then(setEvents)
      .catch((e) => setError(e.message));
  useEffect(() => {
    load();
  }, []);
  return (
    <main class="pad">
      <h1>Events</h1>
      {error && <p class="error">{error}</p>}
      {events && events.length === 0 && <p>No event yet: create the first one below.</p>}
      <ul class="events">
        {events?.map((e) => (
          <li class="card">
            <a href={`/admin/e/${e.id}`} onClick={(ev) => (ev.preventDefault(), go(`/admin/e/${e.id}`))}>
              <strong>{e.title}</strong>
            </a>{" "}
            <span class={`chip is-${e.status}`}>{e.status}</span>
            <div class="muted">
              /e/{e.slug} · {new Date(e.starts_at).toLocaleString("en-GB", { timeZone: e.timezone, dateStyle: "medium", timeStyle: "short" })} ({e.timezone})
            </div>
          </li>
        ))}
      </ul>
      <NewEvent onCreated={(id) => go(`/admin/e/${id}`)} />
    </main>
  );
}

function NewEvent({ onCreated }: { onCreated: (id: string) => void }) {
  const [f, setF] = useState({ title: "", slug: "", starts: "", timezone: Intl.DateTimeFormat().resolvedOptions().timeZone });
  const [error, setError] = useState("");
  const set = (k: keyof typeof f) => (e: Event) => setF({ ...f, [k]: (e.target as HTMLInputElement).value });
  const submit = async (e: Event) => {
    e.preventDefault();
    setError("");
    try {
      const created = await post<{ event?: { id: string }; id?: string }>("/events", {
        title: f.title,
        slug: f.slug,
        starts_at: new Date(f.starts).toISOString(),
        timezone: f.timezone,
      });
      onCreated(created.event?.id ?? created.id ?? "");
    } catch (err) {
      setError((err as Error).message);
    }
  };
  return (
    <section>
      <h2>New event</h2>
      <form class="card grid2" onSubmit={submit}>
        <label>
          Title
          <input required value={f.title} onInput={set("title")} />
        </label>
        <label>
          Address (slug)
          <input required pattern="[a-z0-9-]+" value={f.slug} onInput={set("slug")} placeholder="peace-now" />
        </label>
        <label>
          Starts (your local time)
          <input type="datetime-local" required value={f.starts} onInput={set("starts")} />
        </label>
        <label>
          Time zone of the event
          <input required value={f.timezone} onInput={set("timezone")} />
        </label>
        <button type="submit" class="primary">
          Create
        </button>
        {error && (
          <p class="error" role="alert">
            {error}
          </p>
        )}
      </form>
    </section>
  );
}

render(<App />, document.getElementById("app")!);
