// One slot as an iCalendar file (RFC 5545), made in the browser for the viewer's
// per-slot "add to calendar": CRLF line ends, TEXT values escaped, lines folded
// at 75 octets without splitting a character, times in UTC. The UID is the one
// GET /e/{slug}/schedule.ics gives the slot (its id at this host), so a calendar
// that also subscribes to the whole schedule updates the same entry.

export interface CalendarEvent {
  uid: string;
  /** Instants in ms. */
  start: number;
  end: number;
  summary: string;
  description?: string;
  location?: string;
  url?: string;
  /** Rises with every change; the event's version never falls, so it serves. */
  sequence: number;
}

/** text escapes a TEXT value (RFC 5545 3.3.11): \ ; , and line breaks; other controls are dropped. */
export function text(s: string): string {
  return s
    .replace(/\r\n?/g, "\n")
    .replace(/[\\;,]/g, (c) => "\\" + c)
    .replace(/\n/g, "\\n")
    .replace(/[\u0000-\u0008\u000a-\u001f\u007f]/g, "");
}

/** oneLine is a TEXT value that must not break: summary, location. */
function oneLine(s: string): string {
  return text(s.replace(/\s+/g, " ").trim());
}

function octets(ch: string): number {
  const c = ch.codePointAt(0)!;
  return c < 0x80 ? 1 : c < 0x800 ? 2 : c < 0x10000 ? 3 : 4;
}

/** fold splits a content line into lines of at most 75 octets of UTF-8 (RFC 5545 3.1). */
export function fold(line: string): string {
  const out: string[] = [];
  let cur = "";
  let size = 0;
  let max = 75;
  for (const ch of line) {
    const n = octets(ch);
    if (size + n > max) {
      out.push(cur);
      cur = "";
      size = 0;
      max = 74; // a continuation line starts with a space
    }
    cur += ch;
    size += n;
  }
  out.push(cur);
  return out.join("\r\n ");
}

/** utc is a DATE-TIME in UTC: 20260301T120000Z. */
export function utc(ms: number): string {
  return new Date(Math.floor(ms / 1000) * 1000).toISOString().replace(/[-:]/g, "").replace(/\.\d+/, "");
}

/** calendar renders one event as a whole VCALENDAR. */
export function calendar(e: CalendarEvent, stamp = Date.now()): string {
  const lines = [
    "BEGIN:VCALENDAR",
    "VERSION:2.0",
    "PRODID:-//Tribune//Tribune//EN",
    "CALSCALE:GREGORIAN",
    "METHOD:PUBLISH",
    "BEGIN:VEVENT",
    `UID:${text(e.uid)}`,
    `DTSTAMP:${utc(stamp)}`,
    `DTSTART:${utc(e.start)}`,
    `DTEND:${utc(e.end)}`,
    `SEQUENCE:${Math.max(0, Math.floor(e.sequence))}`,
    `SUMMARY:${oneLine(e.summary)}`,
  ];
  if (e.description?.trim()) lines.push(`DESCRIPTION:${text(e.description.trim())}`);
  if (e.location?.trim()) lines.push(`LOCATION:${oneLine(e.location)}`);
  if (e.url) lines.push(`URL:${e.url.replace(/[\s\u0000-\u001f]/g, "")}`);
  lines.push("END:VEVENT", "END:VCALENDAR");
  return lines.map(fold).join("\r\n") + "\r\n";
}

/** dataURL is the file as a link a click downloads (no blob: needed under a strict CSP). */
export function dataURL(ics: string): string {
  return "data:text/calendar;charset=utf-8," + encodeURIComponent(ics);
}
