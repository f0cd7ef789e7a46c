// The running order of one stage: reorder by drag (pointer events, so mouse,
// pen and touch) or by keyboard (arrow keys on a slot's handle), edit durations
// and pinned starts inline with the planned times recomputed as you type, add
// and delete slots. A stale edit shows the other person's version.

import { useEffect, useRef, useState } from "preact/hooks";
import { stageSlots, type Slot } from "../lib/agenda";
import { del, patch, post, Problem } from "./api";
import { fmt, path, type Ctx } from "./event";

type OrgSlot = Slot & { revision: number };

interface Draft {
  /** The revision the edit started from: a change by someone else meanwhile is a conflict. */
  base?: number;
  minutes?: string;
  pin?: string; // "HH:MM" in the event's zone, "" for none
}

interface Conflict {
  slot: OrgSlot;
  theirs: OrgSlot;
  mine: Record<string, unknown>;
}

/** zoned turns a wall-clock date and time in tz into an instant. */
export function zoned(y: number, mo: number, d: number, h: number, mi: number, tz: string): number {
  const guess = Date.UTC(y, mo - 1, d, h, mi);
  const offset = (ms: number) => {
    const p = Object.fromEntries(
      new Intl.DateTimeFormat("en-US", { timeZone: tz, hourCycle: "h23", year: "numeric", month: "numeric", day: "numeric", hour: "numeric", minute: "numeric", second: "numeric" })
        .formatToParts(ms)
        .map((x) => [x.type, Number(x.value)]),
    );
    return Date.UTC(p.year, p.month - 1, p.day, p.hour, p.minute, p.second) - ms;
  };
  let t = guess - offset(guess);
  t = guess - offset(t);
  return t;
}

function wallParts(ms: number, tz: string) {
  const p = Object.fromEntries(
    new Intl.DateTimeFormat("en-US", { timeZone: tz, hourCycle: "h23", year: "numeric", month: "numeric", day: "numeric", hour: "2-digit", minute: "2-digit" })
      .formatToParts(ms)
      .map((x) => [x.type, x.value]),
  );
  return { y: +p.year, mo: +p.month, d: +p.day, hm: `${p.hour}:${p.minute}` };
}

export function RunningOrder({ ctx }: { ctx: Ctx }) {
  const stages = [...ctx.a.stages].sort((x, y) => x.position - y.position);
  const [stageID, setStageID] = useState(stages[0]?.id ?? "");
  const [drafts, setDrafts] = useState<Record<string, Draft>>({});
  const [order, setOrder] = useState<string[] | null>(null);
  const [announce, setAnnounce] = useState("");
  const [error, setError] = useState("");
  const [conflict, setConflict] = useState<Conflict | null>(null);
  const [drag, setDrag] = useState<{ id: string; from: number; over: number } | null>(null);
  const list = useRef<HTMLOListElement>(null);
  const tz = ctx.a.event.timezone;

  // A new version from the feed replaces the optimistic order.
  useEffect(() => setOrder(null), [ctx.a.version]);

  const stored = stageSlots(ctx.a.slots as OrgSlot[], stageID);
  const byID = new Map(stored.map((s) => [s.id, s]));
  const slots = order ? order.map((id) => byID.get(id)).filter((s): s is OrgSlot => !!s) : stored;

  // Planned times as they will be once the drafts are saved (DESIGN invariant 2).
  const times = new Map<string, { start: number; end: number }>();
  let prevEnd = Date.parse(ctx.a.event.starts_at);
  for (const s of slots) {
    const d = drafts[s.id] ?? {};
    const minutes = d.minutes !== undefined && +d.minutes > 0 ? +d.minutes : s.duration_seconds / 60;
    let pinned: number | null = s.pinned_start ? Date.parse(s.pinned_start) : null;
    if (d.pin !== undefined) {
      if (d.pin === "") pinned = null;
      else {
        const w = wallParts(s.pinned_start ? Date.parse(s.pinned_start) : Date.parse(s.planned_start), tz);
        const [h, mi] = d.pin.split(":").map(Number);
        pinned = zoned(w.y, w.mo, w.d, h, mi, tz);
      }
    }
    const start = pinned ?? prevEnd;
    const end = start + minutes * 60000;
    times.set(s.id, { start, end });
    prevEnd = end;
  }

  const move = async (s: OrgSlot, to: number) => {
    const from = slots.findIndex((x) => x.id === s.id);
    if (to < 0 || to >= slots.length || to === from) return;
    const ids = slots.map((x) => x.id);
    ids.splice(from, 1);
    ids.splice(to, 0, s.id);
    setOrder(ids);
    setAnnounce(`${s.title}: moved to position ${to + 1} of ${slots.length}.`);
    setError("");
    try {
      await post(path(ctx, `/slots/${s.id}/move`), { stage_id: stageID, position: to });
    } catch (e) {
      setOrder(null);
      setError(`Could not move “${s.title}”: ${(e as Error).message}`);
    }
  };

  const save = async (s: OrgSlot, body: Record<string, unknown>, revision = s.revision) => {
    setConflict(null);
    setError("");
    try {
      await patch(path(ctx, `/slots/${s.id}`), body, revision);
      setDrafts((d) => {
        const n = { ...d };
        delete n[s.id];
        return n;
      });
    } catch (e) {
      if (e instanceof Problem && e.status === 412 && e.current) {
        setConflict({ slot: s, theirs: e.current as OrgSlot, mine: body });
        setDrafts((d) => {
          const n = { ...d };
          delete n[s.id];
          return n;
        });
      }
      else setError(`Could not save “${s.title}”: ${(e as Error).message}`);
    }
  };

  const saveDuration = (s: OrgSlot) => {
    const m = drafts[s.id]?.minutes;
    if (m === undefined) return;
    const secs = Math.round(+m * 60);
    if (!(secs > 0)) return setError("A duration is a number of minutes above 0.");
    if (secs !== s.duration_seconds || drafts[s.id]?.base !== s.revision) save(s, { duration_seconds: secs }, drafts[s.id]?.base);
  };
  const savePin = (s: OrgSlot) => {
    const pin = drafts[s.id]?.pin;
    if (pin === undefined) return;
    const t = times.get(s.id)!;
    save(s, { pinned_start: pin === "" ? null : new Date(t.start).toISOString() }, drafts[s.id]?.base);
  };

  // Drag: the handle captures the pointer; the row under it is the drop place.
  const overIndex = (y: number) => {
    const rows = [...(list.current?.querySelectorAll<HTMLElement>(":scope > li") ?? [])];
    for (let i = 0; i < rows.length; i++) {
      const r = rows[i].getBoundingClientRect();
      if (y < r.top + r.height / 2) return i;
    }
    return rows.length - 1;
  };

  const names = new Map(ctx.a.speakers.map((s) => [s.id, s.name]));
  const warned = new Set(ctx.warnings.map((w) => w.slot_id));
  return (
    <section aria-labelledby="ro-h">
      <div class="row">
        <h2 id="ro-h">Running order</h2>
        {stages.length > 1 && (
          <div class="seg" role="group" aria-label="Stage">
            {stages.map((st) => (
              <button type="button" aria-pressed={st.id === stageID} onClick={() => setStageID(st.id)}>
                {st.name}
              </button>
            ))}
          </div>
        )}
      </div>
      <p class="muted small">
        Times in {tz}. Drag a slot by its handle, or focus the handle and press ↑ or ↓ to move it. Durations and pins save when you leave the field.
      </p>
      <p class="visually-hidden" role="status" aria-live="assertive">
        {announce}
      </p>
      {error && (
        <p class="error" role="alert">
          {error}
        </p>
      )}
      {conflict && <ConflictBox c={conflict} onClose={() => setConflict(null)} onMine={(c) => save(c.slot, c.mine, c.theirs.revision)} />}
      <ol class="slots" ref={list}>
        {slots.map((s, i) => {
          const t = times.get(s.id)!;
          const d = drafts[s.id] ?? {};
          const pin = d.pin ?? (s.pinned_start ? wallParts(Date.parse(s.pinned_start), tz).hm : "");
          return (
            <li
              key={s.id}
              data-slot={s.id}
              class={`slotrow ${drag?.id === s.id ? "is-dragging" : ""} ${drag && drag.over === i && drag.id !== s.id ? (drag.over > drag.from ? "drop-after" : "drop-before") : ""}`}
            >
              <button
                type="button"
                class="handle"
                aria-label={`Move “${s.title}”, position ${i + 1} of ${slots.length}`}
                onKeyDown={(e) => {
                  if (e.key === "ArrowUp") {
                    e.preventDefault();
                    move(s, i - 1);
                  } else if (e.key === "ArrowDown") {
                    e.preventDefault();
                    move(s, i + 1);
                  }
                }}
                onPointerDown={(e) => {
                  (e.currentTarget as HTMLElement).setPointerCapture(e.pointerId);
                  setDrag({ id: s.id, from: i, over: i });
                }}
                onPointerMove={(e) => {
                  if (drag?.id === s.id) {
                    const over = overIndex(e.clientY);
                    if (over !== drag.over) setDrag({ ...drag, over });
                  }
                }}
                onPointerUp={(e) => {
                  if (drag?.id === s.id) {
                    const over = overIndex(e.clientY);
                    setDrag(null);
                    move(s, over);
                  }
                }}
                onPointerCancel={() => setDrag(null)}
              >
                ⠿
              </button>
              <div class="when">
                <strong>{fmt(ctx, t.start)}</strong>
                <span class="muted">–{fmt(ctx, t.end)}</span>
              </div>
              <div class="what">
                <span class="title">{s.title}</span> <span class="chip">{s.kind}</span>
                {warned.has(s.id) && <span class="chip is-warn">warning</span>}
                <div class="speakers">
                  {s.speakers.map((sp) => (
                    <span class={`chip is-${sp.status}`} data-speaker={sp.speaker_id}>
                      {names.get(sp.speaker_id) ?? "?"} · {sp.status}
                      {sp.role === "moderator" ? " · moderator" : ""}
                    </span>
                  ))}
                </div>
              </div>
              <label class="dur">
                <span class="visually-hidden">Duration of “{s.title}” in minutes</span>
                <input
                  type="number"
                  min={1}
                  step={1}
                  value={d.minutes ?? String(s.duration_seconds / 60)}
                  onInput={(e) => setDrafts({ ...drafts, [s.id]: { base: s.revision, ...d, minutes: (e.target as HTMLInputElement).value } })}
                  onChange={() => saveDuration(s)}
                />
                <span aria-hidden="true">min</span>
              </label>
              <label class="pin">
                <span class="visually-hidden">Pinned start of “{s.title}” (empty: follows the slot before)</span>
                <input
                  type="time"
                  value={pin}
                  title="Pinned start"
                  onInput={(e) => setDrafts({ ...drafts, [s.id]: { base: s.revision, ...d, pin: (e.target as HTMLInputElement).value } })}
                  onChange={() => savePin(s)}
                />
              </label>
              <button
                type="button"
                class="icon"
                aria-label={`Delete “${s.title}”`}
                onClick={async () => {
                  if (!confirm(`Delete “${s.title}”?`)) return;
                  try {
                    await del(path(ctx, `/slots/${s.id}`), s.revision);
                  } catch (e) {
                    setError((e as Error).message);
                  }
                }}
              >
                ✕
              </button>
            </li>
          );
        })}
      </ol>
      <NewSlot ctx={ctx} stageID={stageID} />
    </section>
  );
}

function ConflictBox({ c, onClose, onMine }: { c: Conflict; onClose: () => void; onMine: (c: Conflict) => void }) {
  const show = (s: Partial<OrgSlot>): string =>
    `${s.title} · ${Math.round((s.duration_seconds ?? 0) / 60)} min${s.pinned_start ? ` · pinned ${new Date(s.pinned_start).toISOString().slice(11, 16)} UTC` : ""}`;
  return (
    <div class="card conflict" role="alert">
      <p>
        <strong>Someone else changed this slot while you were editing it.</strong> Nothing was overwritten.
      </p>
      <p>Their version: {show(c.theirs)}</p>
      <p>Your edit: {show({ ...c.theirs, ...(c.mine as Partial<OrgSlot>) })}</p>
      <button type="button" onClick={onClose}>
        Keep theirs
      </button>{" "}
      <button type="button" class="primary" onClick={() => onMine(c)}>
        Apply mine on top of theirs
      </button>
    </div>
  );
}

function NewSlot({ ctx, stageID }: { ctx: Ctx; stageID: string }) {
  const [title, setTitle] = useState("");
  const [minutes, setMinutes] = useState("5");
  const [kind, setKind] = useState("speech");
  const [error, setError] = useState("");
  return (
    <form
      class="card inline"
      onSubmit={async (e) => {
        e.preventDefault();
        setError("");
        try {
          await post(path(ctx, "/slots"), { stage_id: stageID, title, duration_seconds: Math.round(+minutes * 60), kind });
          setTitle("");
        } catch (err) {
          setError((err as Error).message);
        }
      }}
    >
      <label>
        New slot
        <input required value={title} onInput={(e) => setTitle((e.target as HTMLInputElement).value)} placeholder="Title" />
      </label>
      <label>
        Minutes
        <input type="number" min={1} required value={minutes} onInput={(e) => setMinutes((e.target as HTMLInputElement).value)} />
      </label>
      <label>
        Kind
        <select value={kind} onChange={(e) => setKind((e.target as HTMLSelectElement).value)}>
          {["speech", "panel", "video", "music", "moderation", "break", "other"].map((k) => (
            <option value={k}>{k}</option>
          ))}
        </select>
      </label>
      <button type="submit" class="primary">
        Add
      </button>
      {error && (
        <p class="error" role="alert">
          {error}
        </p>
      )}
    </form>
  );
}
