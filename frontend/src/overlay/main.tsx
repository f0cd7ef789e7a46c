// The broadcast overlay /e/{slug}/overlay: an OBS browser source on a transparent
// background. A lower third for who is on stage; with ?next=1 an "up next" card,
// with ?clock=1 a clock (in ?tz= or the event's zone); ?stage= picks a stage.

import { render } from "preact";
import { useEffect, useState } from "preact/hooks";
import "./overlay.css";
import { primaryShow, project, type Agenda, type Projected, type Speaker } from "../lib/agenda";
import { Feed, fetchAgenda, wsURL, type FeedState } from "../lib/feed";
import { clock, time } from "../lib/format";
import { pick, t, use } from "../lib/i18n";
import { Flag, useNow } from "../lib/ui";

const slug = decodeURIComponent(location.pathname.split("/")[2] ?? "");
const api = `/api/v1/public/events/${encodeURIComponent(slug)}`;
const params = new URLSearchParams(location.search);
const on = (k: string) => ["1", "true", "yes"].includes(params.get(k) ?? "");

function App() {
  const [a, setA] = useState<Agenda | null>(null);
  const [state, setState] = useState<FeedState>("connecting");
  useEffect(() => {
    const feed = new Feed<Agenda>({
      url: (since) => wsURL(`${api}/live${since === null ? "" : `?since=${since}`}`),
      poll: (etag) => fetchAgenda<Agenda>(api, etag),
      onAgenda: setA,
      onState: setState,
    });
    feed.start();
    return () => feed.stop();
  }, []);
  const n = useNow(1000);
  if (!a) return null;
  const show = primaryShow(project(a, n), params.get("stage"));
  const speakers = new Map(a.speakers.map((s) => [s.id, s]));
  const orgs = new Map(a.organizations.map((o) => [o.id, o]));
  const people = (p: Projected) =>
    p.slot.speakers.map((s) => speakers.get(s.speaker_id)).filter((s): s is Speaker => !!s);
  const cur = show?.current;
  return (
    <div class="safe" data-state={state}>
      {on("clock") && <div class="clock">{time(n, params.get("tz") || a.event.timezone)}</div>}
      {cur && (
        <div class="lower" key={cur.slot.id} data-slot={cur.slot.id}>
          <LowerThird title={cur.slot.title} people={people(cur)} orgName={(id) => orgs.get(id)?.name} />
        </div>
      )}
      {on("next") && show?.next && (
        <div class="next" key={show.next.slot.id}>
          <p class="label">
            {t("upNext")}
            {show.next.start > n && <span> · {clock((show.next.start - n) / 1000)}</span>}
          </p>
          <p class="who">{people(show.next).map((s) => s.name).join(", ") || show.next.slot.title}</p>
        </div>
      )}
    </div>
  );
}

function LowerThird({ title, people, orgName }: { title: string; people: Speaker[]; orgName: (id: string) => string | undefined }) {
  if (people.length === 1) {
    const sp = people[0];
    const org = sp.organization_id ? orgName(sp.organization_id) : undefined;
    return (
      <>
        <p class="name">{sp.name}</p>
        <p class="sub">
          {org && <span>{org}</span>}
          <Flag code={sp.country} />
        </p>
      </>
    );
  }
  return (
    <>
      <p class="name">{title}</p>
      {people.length > 0 && (
        <p class="sub">
          {people.map((sp) => (
            <span class="who">
              {sp.name} <Flag code={sp.country} label={false} />
            </span>
          ))}
        </p>
      )}
    </>
  );
}

async function main() {
  await use(pick());
  render(<App />, document.getElementById("app")!);
}

void main();
