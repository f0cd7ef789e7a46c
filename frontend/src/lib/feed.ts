// A websocket feed client that never misses a change: it applies changes in
// version order, reconnects with ?since=N after a drop or a gap, and falls back
// to polling the agenda with If-None-Match while the websocket cannot connect.

import { applyChange, type Agenda, type FeedMessage } from "./agenda";

export type FeedState = "connecting" | "live" | "reconnecting";

export interface FeedOptions<A extends Agenda<any, any, any>> {
  /** The websocket URL for a resume point (null: from a fresh snapshot). */
  url: (since: number | null) => string;
  protocols?: string[];
  /** Fetches the agenda over HTTP; etag is the last one seen. Null when unchanged. */
  poll?: (etag: string | null) => Promise<{ agenda: A; etag: string | null } | null>;
  onAgenda: (a: A, m: FeedMessage | null) => void;
  onState?: (s: FeedState) => void;
  /** Milliseconds between polls while the websocket is down. */
  pollEvery?: number;
}

/** The server's clock minus ours, in ms, from the last message's server_time. */
let skew = 0;

/** now is the client's clock corrected by the skew measured on the feed. */
export function now(): number {
  return Date.now() + skew;
}

function noteServerTime(t: string | undefined | null) {
  if (!t) return;
  const d = Date.parse(t) - Date.now();
  // Below a second, the difference is mostly network latency: ignore it.
  skew = Math.abs(d) < 1000 ? 0 : d;
}

export function wsURL(path: string): string {
  const u = new URL(path, location.href);
  u.protocol = u.protocol === "https:" ? "wss:" : "ws:";
  return u.toString();
}

export class Feed<A extends Agenda<any, any, any>> {
  private ws: WebSocket | null = null;
  private agenda: A | null = null;
  private etag: string | null = null;
  private attempt = 0;
  private timer = 0;
  private pollTimer = 0;
  private stopped = false;
  private state: FeedState = "connecting";

  constructor(private opts: FeedOptions<A>) {
    addEventListener("online", () => this.reconnectNow());
    document.addEventListener("visibilitychange", () => {
      if (document.visibilityState === "visible" && this.state === "reconnecting") this.reconnectNow();
    });
  }

  /** start connects, resuming from initial when the page already has an agenda. */
  start(initial?: A | null, etag?: string | null) {
    if (initial) {
      this.agenda = initial;
      this.etag = etag ?? `"${initial.version}"`;
    }
    this.connect();
  }

  stop() {
    this.stopped = true;
    clearTimeout(this.timer);
    clearTimeout(this.pollTimer);
    this.ws?.close();
  }

  private setState(s: FeedState) {
    if (s === this.state) return;
    this.state = s;
    this.opts.onState?.(s);
  }

  private reconnectNow() {
    if (this.stopped || this.ws) return;
    clearTimeout(this.timer);
    this.connect();
  }

  private connect() {
    this.timer = 0;
    let ws: WebSocket;
    try {
      ws = new WebSocket(this.opts.url(this.agenda ? this.agenda.version : null), this.opts.protocols);
    } catch {
      // Refused outright (an older browser under a CSP that forbids it): as if it had closed.
      this.dropped(false, 1006);
      return;
    }
    this.ws = ws;
    let heard = false;
    ws.onmessage = (ev) => {
      let m: FeedMessage;
      try {
        m = JSON.parse(ev.data as string);
      } catch {
        return;
      }
      if (!heard) {
        heard = true;
        this.attempt = 0;
        clearTimeout(this.pollTimer);
        this.pollTimer = 0;
        this.setState("live");
      }
      noteServerTime(m.server_time);
      if (m.type === "snapshot" && m.agenda) {
        this.set(m.agenda as A, m);
      } else if (m.type === "change" && this.agenda) {
        if (m.version <= this.agenda.version) return; // already applied (a poll got ahead)
        if (m.version !== this.agenda.version + 1) {
          ws.close(); // a gap: resume from what we have
          return;
        }
        this.set(applyChange(this.agenda, m), m);
      }
    };
    ws.onclose = (ev) => {
      if (this.ws !== ws) return;
      this.ws = null;
      this.dropped(heard, ev.code);
    };
    // Chromium closes a socket that the page's CSP forbids (the widget on a
    // partner's page) without a close event: handle it as one.
    if (ws.readyState === WebSocket.CLOSED) {
      setTimeout(() => {
        if (this.ws !== ws) return;
        this.ws = null;
        this.dropped(false, 1006);
      }, 0);
    }
  }

  /** dropped schedules the reconnection, and polling while the websocket stays down. */
  private dropped(heard: boolean, code: number) {
    if (this.stopped) return;
    this.setState("reconnecting");
    // A gap or a slow-consumer drop (4008) resumes at once; anything else backs off.
    const quick = heard && (code === 1000 || code === 1005 || code === 4008);
    const delay = quick && this.attempt === 0 ? 50 : Math.min(10000, 500 * 2 ** this.attempt) * (0.8 + Math.random() * 0.4);
    this.attempt++;
    this.timer = window.setTimeout(() => this.connect(), delay);
    if (this.attempt >= 2 && this.opts.poll && !this.pollTimer) this.schedulePoll(0);
  }

  private set(a: A, m: FeedMessage | null) {
    this.agenda = a;
    this.etag = `"${a.version}"`;
    this.opts.onAgenda(a, m);
  }

  private schedulePoll(delay: number) {
    this.pollTimer = window.setTimeout(async () => {
      if (this.stopped || this.state === "live") {
        this.pollTimer = 0;
        return;
      }
      try {
        const got = await this.opts.poll!(this.etag);
        if (got && (!this.agenda || got.agenda.version > this.agenda.version)) {
          this.agenda = got.agenda;
          this.etag = got.etag;
          this.opts.onAgenda(got.agenda, null);
        }
      } catch {
        // offline: try again later
      }
      if ((this.state as FeedState) !== "live") this.schedulePoll(this.opts.pollEvery ?? 10000);
      else this.pollTimer = 0;
    }, delay);
  }
}

/** fetchAgenda GETs a JSON agenda with If-None-Match; null on 304. */
export async function fetchAgenda<A>(url: string, etag: string | null, headers: Record<string, string> = {}) {
  const h: Record<string, string> = { Accept: "application/json", ...headers };
  if (etag) h["If-None-Match"] = etag;
  const res = await fetch(url, { headers: h, cache: "no-cache" });
  if (res.status === 304) return null;
  if (!res.ok) throw new Error(`HTTP ${res.status}`);
  return { agenda: (await res.json()) as A, etag: res.headers.get("ETag") };
}
