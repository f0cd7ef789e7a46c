// Speakers and organizations (with CSV import), and the confirmation board
// with the speakers' personal links.

import { useState } from "preact/hooks";
import { del, patch, post } from "./api";
import { fmt, path, type Ctx, type OrgSpeaker } from "./event";

/** parseCSV reads RFC 4180 CSV (quotes, commas and newlines in quotes) into rows of named fields. */
export function parseCSV(text: string): Record<string, string>[] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = "";
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        field += '"';
        i++;
      } else if (c === '"') quoted = false;
      else field += c;
    } else if (c === '"') quoted = true;
    else if (c === "," || c === ";") {
      row.push(field);
      field = "";
    } else if (c === "\n" || c === "\r") {
      if (c === "\r" && text[i + 1] === "\n") i++;
      row.push(field);
      rows.push(row);
      row = [];
      field = "";
    } else field += c;
  }
  if (field !== "" || row.length) {
    row.push(field);
    rows.push(row);
  }
  const [head, ...body] = rows.filter((r) => r.some((f) => f.trim() !== ""));
  if (!head) return [];
  const keys = head.map((h) => h.trim().toLowerCase().replace(/\s+/g, "_"));
  return body.map((r) => Object.fromEntries(keys.map((k, i) => [k, (r[i] ?? "").trim()])));
}

function CSVImport({ label, columns, onRow }: { label: string; columns: string; onRow: (r: Record<string, string>) => Promise<unknown> }) {
  const [report, setReport] = useState("");
  const run = async (text: string) => {
    const rows = parseCSV(text);
    let ok = 0;
    const errors: string[] = [];
    for (const [i, r] of rows.entries()) {
      try {
        await onRow(r);
        ok++;
      } catch (e) {
        errors.push(`line ${i + 2}: ${(e as Error).message}`);
      }
    }
    setReport(`${ok} imported${errors.length ? `, ${errors.length} refused: ${errors.join("; ")}` : ""}.`);
  };
  return (
    <details class="card">
      <summary>{label}</summary>
      <p class="muted small">
        A CSV file with a header line. Columns: <code>{columns}</code>.
      </p>
      <label>
        CSV file
        <input type="file" accept=".csv,text/csv" onChange={async (e) => {
          const f = (e.target as HTMLInputElement).files?.[0];
          if (f) await run(await f.text());
        }} />
      </label>
      <p role="status">{report}</p>
    </details>
  );
}

export function Speakers({ ctx }: { ctx: Ctx }) {
  const orgs = new Map(ctx.a.organizations.map((o) => [o.id, o]));
  const orgByName = new Map(ctx.a.organizations.map((o) => [o.name.toLowerCase(), o.id]));
  const [edit, setEdit] = useState<OrgSpeaker | null>(null);
  const [error, setError] = useState("");
  const speakers = [...ctx.a.speakers].sort((x, y) => x.name.localeCompare(y.name));
  return (
    <section aria-labelledby="sp-h">
      <h2 id="sp-h">Speakers ({speakers.length})</h2>
      {error && (
        <p class="error" role="alert">
          {error}
        </p>
      )}
      <table class="table">
        <thead>
          <tr>
            <th scope="col">Public name</th>
            <th scope="col">Country</th>
            <th scope="col">Organization</th>
            <th scope="col">Time zone</th>
            <th scope="col">Hidden</th>
            <th scope="col">Contact</th>
            <th scope="col"><span class="visually-hidden">Actions</span></th>
          </tr>
        </thead>
        <tbody>
          {speakers.map((s) => (
            <tr data-speaker={s.id}>
              <td>{s.name}</td>
              <td>{s.country}</td>
              <td>{orgs.get(s.organization_id)?.name ?? ""}</td>
              <td>{s.timezone}</td>
              <td>{[s.hide_country && "country", s.hide_organization && "organization", s.hide_photo && "photo"].filter(Boolean).join(", ")}</td>
              <td>{s.contact_email}</td>
              <td>
                <button type="button" onClick={() => setEdit(s)}>
                  Edit
                </button>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      {edit && <SpeakerForm ctx={ctx} s={edit} onDone={() => setEdit(null)} />}
      <SpeakerForm ctx={ctx} onDone={() => {}} />
      <CSVImport
        label="Import speakers from CSV"
        columns="name, country, organization, timezone, languages, contact_email, bio"
        onRow={async (r) => {
          let organization_id = "";
          if (r.organization) {
            organization_id = orgByName.get(r.organization.toLowerCase()) ?? "";
            if (!organization_id) {
              const o = await post<{ id: string }>(path(ctx, "/organizations"), { name: r.organization, country: r.country || undefined });
              organization_id = o.id;
              orgByName.set(r.organization.toLowerCase(), o.id);
            }
          }
          return post(path(ctx, "/speakers"), {
            name: r.name,
            country: r.country || undefined,
            organization_id: organization_id || undefined,
            timezone: r.timezone || undefined,
            languages: r.languages ? r.languages.split(/[\s,/]+/).filter(Boolean) : undefined,
            contact_email: r.contact_email || r.email || undefined,
            bio: r.bio || undefined,
          }).catch((e) => {
            setError(e.message);
            throw e;
          });
        }}
      />
    </section>
  );
}

function SpeakerForm({ ctx, s, onDone }: { ctx: Ctx; s?: OrgSpeaker; onDone: () => void }) {
  const blank = { name: "", country: "", organization_id: "", timezone: "", contact_email: "", bio: "", notes: "", hide_country: false, hide_organization: false, hide_photo: false };
  const [f, setF] = useState(s ? { ...blank, ...s } : blank);
  const [error, setError] = useState("");
  const set = (k: string) => (e: Event) => {
    const el = e.target as HTMLInputElement;
    setF({ ...f, [k]: el.type === "checkbox" ? el.checked : el.value });
  };
  const id = s ? `sf-${s.id}` : "sf-new";
  return (
    <form
      class="card grid2"
      aria-labelledby={id}
      onSubmit={async (e) => {
        e.preventDefault();
        setError("");
        const body = {
          name: f.name, country: f.country, organization_id: f.organization_id, timezone: f.timezone,
          contact_email: f.contact_email, bio: f.bio, notes: f.notes,
          hide_country: f.hide_country, hide_organization: f.hide_organization, hide_photo: f.hide_photo,
        };
        try {
          if (s) await patch(path(ctx, `/speakers/${s.id}`), body, s.revision);
          else await post(path(ctx, "/speakers"), Object.fromEntries(Object.entries(body).filter(([, v]) => v !== "")));
          if (!s) setF(blank);
          onDone();
        } catch (err) {
          setError((err as Error).message);
        }
      }}
    >
      <h3 id={id}>{s ? `Edit ${s.name}` : "New speaker"}</h3>
      <label>
        Public name
        <input required value={f.name} onInput={set("name")} />
      </label>
      <label>
        Country (ISO code)
        <input value={f.country} onInput={set("country")} maxLength={2} />
      </label>
      <label>
        Organization
        <select value={f.organization_id} onChange={set("organization_id")}>
          <option value="">—</option>
          {ctx.a.organizations.map((o) => (
            <option value={o.id}>{o.name}</option>
          ))}
        </select>
      </label>
      <label>
        Time zone
        <input value={f.timezone} onInput={set("timezone")} placeholder="Europe/Kyiv" />
      </label>
      <label>
        Contact e-mail (private)
        <input type="email" value={f.contact_email} onInput={set("contact_email")} />
      </label>
      <label>
        Notes (private)
        <input value={f.notes} onInput={set("notes")} />
      </label>
      <label class="wide">
        Bio (public)
        <textarea rows={2} value={f.bio} onInput={set("bio")} />
      </label>
      <fieldset class="wide">
        <legend>Hide from every public surface</legend>
        <label class="check">
          <input type="checkbox" checked={f.hide_country} onChange={set("hide_country")} /> country
        </label>
        <label class="check">
          <input type="checkbox" checked={f.hide_organization} onChange={set("hide_organization")} /> organization
        </label>
        <label class="check">
          <input type="checkbox" checked={f.hide_photo} onChange={set("hide_photo")} /> photo
        </label>
      </fieldset>
      <div>
        <button type="submit" class="primary">
          {s ? "Save" : "Add speaker"}
        </button>{" "}
        {s && (
          <>
            <button type="button" onClick={onDone}>
              Cancel
            </button>{" "}
            <button
              type="button"
              class="danger"
              onClick={async () => {
                if (!confirm(`Delete ${s.name}?`)) return;
                try {
                  await del(path(ctx, `/speakers/${s.id}`), s.revision);
                  onDone();
                } catch (err) {
                  setError((err as Error).message);
                }
              }}
            >
              Delete
            </button>
          </>
        )}
      </div>
      {error && (
        <p class="error wide" role="alert">
          {error}
        </p>
      )}
    </form>
  );
}

export function Organizations({ ctx }: { ctx: Ctx }) {
  const [f, setF] = useState({ name: "", country: "", kind: "movement", url: "" });
  const [error, setError] = useState("");
  const add = (body: Record<string, string>) => post(path(ctx, "/organizations"), Object.fromEntries(Object.entries(body).filter(([, v]) => v !== "")));
  return (
    <section aria-labelledby="org-h">
      <h2 id="org-h">Organizations ({ctx.a.organizations.length})</h2>
      <table class="table">
        <thead>
          <tr>
            <th scope="col">Name</th>
            <th scope="col">Country</th>
            <th scope="col">Kind</th>
            <th scope="col">Web site</th>
            <th scope="col">Speakers</th>
          </tr>
        </thead>
        <tbody>
          {ctx.a.organizations.map((o) => (
            <tr>
              <td>{o.name}</td>
              <td>{o.country}</td>
              <td>{o.kind}</td>
              <td>{o.url && <a href={o.url} rel="noopener" target="_blank">{o.url}</a>}</td>
              <td>{ctx.a.speakers.filter((s) => s.organization_id === o.id).length}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <form
        class="card inline"
        onSubmit={async (e) => {
          e.preventDefault();
          setError("");
          try {
            await add(f);
            setF({ name: "", country: "", kind: "movement", url: "" });
          } catch (err) {
            setError((err as Error).message);
          }
        }}
      >
        <label>
          Name
          <input required value={f.name} onInput={(e) => setF({ ...f, name: (e.target as HTMLInputElement).value })} />
        </label>
        <label>
          Country
          <input maxLength={2} value={f.country} onInput={(e) => setF({ ...f, country: (e.target as HTMLInputElement).value })} />
        </label>
        <label>
          Kind
          <select value={f.kind} onChange={(e) => setF({ ...f, kind: (e.target as HTMLSelectElement).value })}>
            {["party", "union", "movement", "ngo", "media", "other"].map((k) => (
              <option value={k}>{k}</option>
            ))}
          </select>
        </label>
        <label>
          Web site
          <input type="url" value={f.url} onInput={(e) => setF({ ...f, url: (e.target as HTMLInputElement).value })} />
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
      <CSVImport label="Import organizations from CSV" columns="name, country, kind, url" onRow={(r) => add({ name: r.name, country: r.country, kind: r.kind, url: r.url })} />
    </section>
  );
}

/** Board is the confirmation board: every speaker's answer per slot, with their personal link. */
export function Board({ ctx }: { ctx: Ctx }) {
  const [links, setLinks] = useState<Record<string, string>>({});
  const [error, setError] = useState("");
  const speakers = new Map(ctx.a.speakers.map((s) => [s.id, s]));
  const rows = ctx.a.slots
    .slice()
    .sort((x, y) => Date.parse(x.planned_start) - Date.parse(y.planned_start))
    .flatMap((slot) => slot.speakers.map((sp) => ({ slot, sp, speaker: speakers.get(sp.speaker_id) })));
  const counts = { confirmed: 0, invited: 0, declined: 0 } as Record<string, number>;
  rows.forEach((r) => (counts[r.sp.status ?? "invited"] += 1));
  const invite = async (id: string) => {
    setError("");
    try {
      const l = await post<{ url: string; email: string }>(path(ctx, `/speakers/${id}/invitation`));
      setLinks({ ...links, [id]: l.url });
    } catch (e) {
      setError((e as Error).message);
    }
  };
  return (
    <section aria-labelledby="board-h">
      <h2 id="board-h">Confirmations</h2>
      <p>
        <span class="chip is-confirmed">{counts.confirmed} confirmed</span> <span class="chip is-invited">{counts.invited} waiting</span>{" "}
        <span class="chip is-declined">{counts.declined} declined</span>
      </p>
      {error && (
        <p class="error" role="alert">
          {error}
        </p>
      )}
      <table class="table board">
        <thead>
          <tr>
            <th scope="col">Slot</th>
            <th scope="col">Speaker</th>
            <th scope="col">Answer</th>
            <th scope="col">Note</th>
            <th scope="col">Personal link</th>
          </tr>
        </thead>
        <tbody>
          {rows.map(({ slot, sp, speaker }) => (
            <tr data-slot={slot.id} data-speaker={sp.speaker_id}>
              <td>
                {fmt(ctx, Date.parse(slot.planned_start))} {slot.title}
              </td>
              <td>{speaker?.name ?? "?"}</td>
              <td>
                <span class={`chip is-${sp.status}`}>{sp.status}</span>
              </td>
              <td>{sp.note}</td>
              <td>
                {links[sp.speaker_id] ? (
                  <input readOnly value={links[sp.speaker_id]} aria-label={`Personal link of ${speaker?.name}`} onFocus={(e) => (e.target as HTMLInputElement).select()} />
                ) : (
                  <button type="button" onClick={() => invite(sp.speaker_id)}>
                    Create link
                  </button>
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      <p class="muted small">Creating a link replaces the speaker's previous one.</p>
    </section>
  );
}
