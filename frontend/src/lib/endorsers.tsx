// The public list of endorsers of an act, grouped by country with counts, shown
// on the viewer page and on the join page: GET /api/v1/public/events/{slug}/endorsers.

import { useEffect, useState } from "preact/hooks";
import { country } from "./format";
import { t, type Key } from "./i18n";
import { Flag } from "./ui";

export interface Endorser {
  name: string;
  kind: string;
  country: string;
  url: string;
}

export interface EndorserCount {
  key: string;
  name: string;
  count: number;
}

export interface Endorsers {
  total: number;
  anonymous: number;
  countries: (EndorserCount & { endorsers: Endorser[] })[];
  continents: EndorserCount[];
  regions: EndorserCount[];
}

/** kindKey is the catalog key of an organization kind. */
export function kindKey(kind: string): Key {
  const keys: Record<string, Key> = {
    party: "kindParty",
    union: "kindUnion",
    movement: "kindMovement",
    ngo: "kindNgo",
    media: "kindMedia",
    other: "kindOther",
    personality: "kindPersonality",
  };
  return keys[kind] ?? "kindOther";
}

/** safeURL is a link target only when it is http or https (the API accepts nothing else). */
export function safeURL(u: string): string | undefined {
  return /^https?:\/\//i.test(u) ? u : undefined;
}

/** useEndorsers loads the list once; null while loading or when it cannot be had. */
export function useEndorsers(slug: string, reload = 0): Endorsers | null {
  const [list, setList] = useState<Endorsers | null>(null);
  useEffect(() => {
    fetch(`/api/v1/public/events/${encodeURIComponent(slug)}/endorsers`, { headers: { Accept: "application/json" } })
      .then((r) => (r.ok ? r.json() : null))
      .then(setList)
      .catch(() => setList(null));
  }, [slug, reload]);
  return list;
}

/** EndorserList shows the endorsers; with hideEmpty, nothing at all until there is one. */
export function EndorserList({ list, hideEmpty = false }: { list: Endorsers | null; hideEmpty?: boolean }) {
  if (!list || (hideEmpty && list.total === 0)) return null;
  return (
    <section class="endorsers" aria-labelledby="endorsers-h">
      <h2 id="endorsers-h">{t("endorsersTitle")}</h2>
      {list.total === 0 ? (
        <p>{t("noEndorsers")}</p>
      ) : (
        <>
          <p class="muted">
            {t("endorsersCount", { n: list.total })}
            {list.anonymous > 0 && <> · {t("endorsersAnonymous", { n: list.anonymous })}</>}
          </p>
          {list.continents.length > 0 && (
            <ul class="tally" aria-label={t("endorsersByRegion")}>
              {list.continents.map((c) => (
                <li>
                  {country(c.key)} <strong>{c.count}</strong>
                </li>
              ))}
            </ul>
          )}
          {list.countries.map((c) => (
            <div class="country" data-country={c.key}>
              <h3>
                <Flag code={c.key} /> <span class="muted">({c.count})</span>
              </h3>
              <ul>
                {c.endorsers.map((e) => (
                  <li>
                    {safeURL(e.url) ? (
                      <a href={safeURL(e.url)} rel="noopener nofollow ugc" target="_blank">
                        {e.name}
                      </a>
                    ) : (
                      <span>{e.name}</span>
                    )}{" "}
                    <span class="muted">· {t(kindKey(e.kind))}</span>
                  </li>
                ))}
              </ul>
            </div>
          ))}
        </>
      )}
    </section>
  );
}
