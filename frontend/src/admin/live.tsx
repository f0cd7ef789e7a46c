// The stage manager's live console: what is on stage with a large countdown
// that turns into an overrun counter, who is next, the live actions, the delay,
// and a box to message the current or next speakers.

import { useState } from "preact/hooks";
import { project, type StageShow } from "../lib/agenda";
import { clock } from "../lib/format";
import { useNow } from "../lib/ui";
import { post } from "./api";
import { fmt, path, type Ctx } from "./event";

export function LiveConsole({ ctx }: { ctx: Ctx }) {
  const n = useNow(1000);
  const shows = project(ctx.a, n);
  const [stageID, setStageID] = useState(shows.find((s) => s.state === "running")?.stage.id ?? shows[0]?.stage.id);
  const show = shows.find((s) => s.stage.id === stageID) ?? shows[0];
  if (!show) return <p>Add a stage and slots first.</p>;
  return (
    <section aria-labelledby="live-h">
      <div class="row">
        <h2 id="live-h">Live</h2>
        {shows.length > 1 && (
          <div class="seg" role="group" aria-label="Stage">
            {shows.map((s) => (
              <button type="button" aria-pressed={s.stage.id === show.stage.id} onClick={() => setStageID(s.stage.id)}>
                {s.stage.name} <span class="muted">({s.state})</span>
              </button>
            ))}
          </div>
        )}
      </div>
      <Stage ctx={ctx} show={show} now={n} />
    </section>
  );
}

function Stage({ ctx, show, now }: { ctx: Ctx; show: StageShow; now: number }) {
  const [error, setError] = useState("");
  const [busy, setBusy] = useState(false);
  const [text, setText] = useState("");
  const [to, setTo] = useState("current");
  const [sent, setSent] = useState("");
  const act = async (action: string, body: Record<string, unknown> = {}) => {
    setBusy(true);
    setError("");
    try {
      await post(path(ctx, `/live/${action}`), { stage_id: show.stage.id, ...body });
    } catch (e) {
      setError((e as Error).message);
    } finally {
      setBusy(false);
    }
  };
  const names = new Map(ctx.a.speakers.map((s) => [s.id, s.name]));
  const who = (ids: { speaker_id: string }[]) => ids.map((s) => names.get(s.speaker_id)).filter(Boolean).join(", ");
  const cur = show.current;
  const over = cur && cur.due! < now;
  const running = show.state === "running" || show.state === "paused";
  const d = show.delay;
  return (
    <div class="live">
      <div class={`card big-now ${over ? "is-over" : ""}`}>
        <p class="label">{show.state === "paused" ? "Paused" : cur ? "On stage" : show.state === "ended" ? "Ended" : "Nothing on stage"}</p>
        {cur && (
          <>
            <p class="title">{cur.slot.title}</p>
            <p class="muted">{who(cur.slot.speakers)}</p>
            <p class="timer" aria-live="off" data-over={over ? "1" : "0"}>
              {over ? `+${clock((now - cur.due!) / 1000)}` : clock((cur.due! - now) / 1000)}
            </p>
            <p class="muted">{over ? "over time" : "left"} · started {fmt(ctx, cur.start)} · planned end {fmt(ctx, Date.parse(cur.slot.planned_end))}</p>
          </>
        )}
      </div>
      <div class="card">
        <p class="label">Up next</p>
        {show.next ? (
          <>
            <p class="title">{show.next.slot.title}</p>
            <p class="muted">
              {who(show.next.slot.speakers)} · {fmt(ctx, show.next.start)}
            </p>
          </>
        ) : (
          <p>—</p>
        )}
        <p class={`delay ${Math.abs(d) >= 60 ? "is-late" : ""}`}>
          {running ? (d >= 60 ? `Running ${Math.round(d / 60)} min late` : d <= -60 ? `Running ${Math.round(-d / 60)} min early` : "On time") : ""}
        </p>
      </div>
      <div class="actions card" role="group" aria-label="Live actions">
        {!running && show.state !== "ended" && (
          <button type="button" class="primary" disabled={busy} onClick={() => act("start", show.next ? { slot_id: show.next.slot.id } : {})}>
            Start
          </button>
        )}
        {running && (
          <>
            <button type="button" class="primary" disabled={busy} onClick={() => act("next")}>
              Next
            </button>
            <button type="button" disabled={busy} onClick={() => act("extend", { seconds: 60 })}>
              +1 min
            </button>
            <button type="button" disabled={busy} onClick={() => act("extend", { seconds: 300 })}>
              +5 min
            </button>
            <button type="button" disabled={busy} onClick={() => act("extend", { seconds: -60 })}>
              −1 min
            </button>
            {show.state === "paused" ? (
              <button type="button" disabled={busy} onClick={() => act("resume")}>
                Resume
              </button>
            ) : (
              <button type="button" disabled={busy} onClick={() => act("pause")}>
                Pause
              </button>
            )}
            <button type="button" disabled={busy} onClick={() => act("back")}>
              Back
            </button>
            {show.next && (
              <button type="button" disabled={busy} onClick={() => act("skip", { slot_id: show.next!.slot.id })}>
                Skip next
              </button>
            )}
            <button
              type="button"
              class="danger"
              disabled={busy}
              onClick={() => {
                if (confirm("End the show on this stage?")) act("end");
              }}
            >
              End
            </button>
          </>
        )}
        {error && (
          <p class="error" role="alert">
            {error}
          </p>
        )}
      </div>
      <form
        class="card message"
        onSubmit={async (e) => {
          e.preventDefault();
          setError("");
          try {
            await post(path(ctx, "/live/message"), { stage_id: show.stage.id, to, text });
            setSent(`Sent to the ${to} speakers: “${text}”`);
            setText("");
          } catch (err) {
            setError((err as Error).message);
          }
        }}
      >
        <label>
          Message to
          <select value={to} onChange={(e) => setTo((e.target as HTMLSelectElement).value)}>
            <option value="current">the current speakers</option>
            <option value="next">the next speakers</option>
          </select>
        </label>
        <div class="quick">
          {["1 minute left", "Please wrap up", "You are next: get ready", "We can't hear you"].map((q) => (
            <button type="button" onClick={() => setText(q)}>
              {q}
            </button>
          ))}
        </div>
        <label>
          Text
          <input required maxLength={280} value={text} onInput={(e) => setText((e.target as HTMLInputElement).value)} />
        </label>
        <button type="submit" class="primary">
          Send
        </button>
        <p role="status">{sent}</p>
      </form>
    </div>
  );
}
