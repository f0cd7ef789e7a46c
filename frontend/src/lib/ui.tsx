// Small pieces the public pages share.

import { useEffect, useState } from "preact/hooks";
import { now } from "./feed";
import { country, language } from "./format";
import { languages, lang, t, use } from "./i18n";
import type { Organization, Speaker } from "./agenda";

/** useNow re-renders every interval ms with the corrected clock. */
export function useNow(interval = 1000): number {
  const [n, setN] = useState(now());
  useEffect(() => {
    const id = setInterval(() => setN(now()), interval);
    return () => clearInterval(id);
  }, [interval]);
  return n;
}

/** Flag is a country's SVG flag, loaded on its own (not one big sheet). */
export function Flag({ code, label = true }: { code?: string; label?: boolean }) {
  if (!code || !/^[a-z]{2}$/i.test(code)) return null;
  const name = country(code);
  return (
    <span class="flag">
      <img src={`/flags/${code.toLowerCase()}.svg`} alt={label ? "" : name} width={20} height={15} loading="lazy" />
      {label && <span>{name}</span>}
    </span>
  );
}

/** Person is a speaker's public name, organization and country. */
export function Person({ sp, orgs }: { sp: Speaker; orgs: Map<string, Organization> }) {
  const org = sp.organization_id ? orgs.get(sp.organization_id) : undefined;
  return (
    <span class="person">
      <strong class="name">{sp.name}</strong>
      {org && <span class="org">{org.name}</span>}
      <Flag code={sp.country} />
    </span>
  );
}

export function LanguagePicker({ onChange }: { onChange: () => void }) {
  return (
    <label class="picker">
      <span>{t("language")}</span>
      <select
        value={lang}
        onChange={async (e) => {
          await use((e.target as HTMLSelectElement).value, true);
          onChange();
        }}
      >
        {Object.entries(languages).map(([code, name]) => (
          <option value={code} lang={code}>
            {name}
          </option>
        ))}
      </select>
    </label>
  );
}

export function Languages({ codes }: { codes: string[] }) {
  return <>{codes.map((c) => language(c)).join(", ")}</>;
}
