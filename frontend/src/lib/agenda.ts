// The public agenda as GET /api/v1/public/events/{slug} and the feeds send it,
// how a feed message changes it, and the live projection each client runs on
// its own clock between messages (DESIGN invariant 3).

export interface PublicEvent {
  id: string;
  slug: string;
  title: string;
  description: string;
  starts_at: string;
  ends_at: string | null;
  timezone: string;
  status: string;
  languages: string[];
  stream_url: string;
}

export interface Stage {
  id: string;
  name: string;
  position: number;
}

export interface Interpretation {
  language: string;
  url: string;
}

export interface SlotSpeaker {
  speaker_id: string;
  role: "speaker" | "moderator";
  status?: "invited" | "confirmed" | "declined";
  note?: string;
}

export interface Slot {
  id: string;
  stage_id: string;
  position: number;
  kind: string;
  title: string;
  description: string;
  duration_seconds: number;
  pinned_start: string | null;
  planned_start: string;
  planned_end: string;
  language: string;
  interpretation: Interpretation[];
  speakers: SlotSpeaker[];
  revision?: number;
}

export interface Speaker {
  id: string;
  name: string;
  country?: string;
  organization_id?: string;
  bio: string;
  photo_url?: string;
  languages: string[];
}

export interface Organization {
  id: string;
  name: string;
  country: string;
  kind: string;
  url: string;
}

export type LiveState = "idle" | "running" | "paused" | "ended";
export type SlotStatus = "pending" | "current" | "done" | "skipped";

export interface StageLive {
  stage_id: string;
  state: LiveState;
  current_slot_id: string | null;
  actual_start: string | null;
  current_end: string | null;
  paused_at: string | null;
  delay_seconds: number;
}

export interface SlotProjection {
  slot_id: string;
  status: SlotStatus;
  projected_start: string;
  projected_end: string;
  delay_seconds: number;
}

export interface LiveView {
  state: LiveState;
  current_slot_id: string | null;
  actual_start: string | null;
  delay_seconds: number;
  server_time: string | null;
  stages: StageLive[];
  slots: SlotProjection[];
}

export interface Agenda<E = PublicEvent, S = Slot, P = Speaker> {
  version: number;
  event: E;
  stages: Stage[];
  slots: S[];
  speakers: P[];
  organizations: Organization[];
  live: LiveView;
}

type Collection = "slots" | "speakers" | "stages" | "organizations";

/** A feed message: a snapshot, or one change (DESIGN.md, websocket feed). */
export interface FeedMessage {
  type: "snapshot" | "change";
  version: number;
  server_time: string;
  agenda?: Agenda<any, any, any>;
  upsert?: Partial<Record<Collection, { id: string }[]>>;
  delete?: Partial<Record<Collection, string[]>>;
  event?: unknown;
  live?: LiveView;
  messages?: StageMessage[];
  warnings?: unknown[];
}

export interface StageMessage {
  slot_id: string;
  speaker_ids: string[];
  text: string;
  at: string;
}

/** applyChange returns the agenda one change later; the input is not modified. */
export function applyChange<A extends Agenda<any, any, any>>(a: A, m: FeedMessage): A {
  const next = { ...a, version: m.version } as A;
  const names: Collection[] = ["stages", "slots", "speakers", "organizations"];
  for (const name of names) {
    const up = m.upsert?.[name];
    const del = m.delete?.[name];
    if (!up && !del) continue;
    const items = new Map<string, { id: string }>((a[name] as { id: string }[]).map((x) => [x.id, x]));
    for (const id of del ?? []) items.delete(id);
    for (const x of up ?? []) items.set(x.id, x);
    (next as any)[name] = [...items.values()];
  }
  if (m.event) next.event = m.event;
  if (m.live) next.live = m.live;
  return next;
}

/** A slot's times as this client projects them now. */
export interface Projected {
  slot: Slot;
  status: SlotStatus;
  start: number;
  end: number;
  /** For the slot on stage: when it should end (it may be in the past: an overrun). */
  due?: number;
  delay: number;
}

/** One stage's show as this client projects it now. */
export interface StageShow {
  stage: Stage;
  state: LiveState;
  slots: Projected[];
  current?: Projected;
  next?: Projected;
  /** Seconds late (negative: early) of the next slot, or the overrun of the current one. */
  delay: number;
}

export function stageSlots<S extends { stage_id: string; position: number }>(slots: S[], stageID: string): S[] {
  return slots.filter((s) => s.stage_id === stageID).sort((x, y) => x.position - y.position);
}

/**
 * project computes every stage's running order at client time now (ms, corrected
 * for the server's clock). The server's projection is exact at live.server_time;
 * while a slot runs over, every later slot starts at max(its pinned start, the
 * projected end of the slot before it), and the current slot ends no earlier than now.
 */
export function project(a: Agenda<any, Slot, any>, now: number): StageShow[] {
  const live = a.live;
  const proj = new Map(live?.slots?.map((p) => [p.slot_id, p]) ?? []);
  const runs = new Map(live?.stages?.map((s) => [s.stage_id, s]) ?? []);
  const asOf = live?.server_time ? Date.parse(live.server_time) : now;
  const stages = [...a.stages].sort((x, y) => x.position - y.position);
  return stages.map((stage) => {
    const run = runs.get(stage.id);
    const show: StageShow = { stage, state: run?.state ?? "idle", slots: [], delay: run?.delay_seconds ?? 0 };
    let prevEnd: number | null = null;
    let delaySet = false;
    for (const slot of stageSlots(a.slots, stage.id)) {
      const p = proj.get(slot.id);
      const plannedStart = Date.parse(slot.planned_start);
      const x: Projected = {
        slot,
        status: p?.status ?? "pending",
        start: Date.parse(p?.projected_start ?? slot.planned_start),
        end: Date.parse(p?.projected_end ?? slot.planned_end),
        delay: p?.delay_seconds ?? 0,
      };
      if (x.status === "current") {
        let due = run?.current_end ? Date.parse(run.current_end) : x.end;
        if (run?.state === "paused") due += Math.max(0, now - asOf);
        x.due = due;
        x.end = Math.max(due, now);
        show.current = x;
        show.delay = Math.round((x.end - Date.parse(slot.planned_end)) / 1000);
      } else if (x.status === "pending" && show.current && prevEnd !== null) {
        const pinned = slot.pinned_start ? Date.parse(slot.pinned_start) : -Infinity;
        x.start = Math.max(pinned, prevEnd);
        x.end = x.start + slot.duration_seconds * 1000;
        x.delay = Math.round((x.start - plannedStart) / 1000);
        if (!delaySet) {
          show.delay = x.delay;
          delaySet = true;
        }
      }
      if (x.status === "pending" && !show.next && (show.current || show.state === "idle")) show.next = x;
      if (x.status !== "skipped") prevEnd = x.end;
      show.slots.push(x);
    }
    if (show.state === "idle") show.delay = 0;
    return show;
  });
}

/** The show to put first: the stage that runs, else the first. */
export function primaryShow(shows: StageShow[], stageID?: string | null): StageShow | undefined {
  if (stageID) {
    const s = shows.find((x) => x.stage.id === stageID);
    if (s) return s;
  }
  return shows.find((s) => s.state === "running" || s.state === "paused") ?? shows[0];
}
