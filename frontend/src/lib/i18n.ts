// The public pages' languages: one JSON catalog per language in src/i18n/. English
// ships in the page; another language is fetched as its own small chunk.
// frontend/i18n_test.go fails when a catalog misses a key of en.json.

import en from "../i18n/en.json";
import { lang, rtl, setLang } from "./locale";

export { lang };

export type Key = keyof typeof en;
type Catalog = Record<Key, string>;

/** The languages offered, by their own name. */
export const languages: Record<string, string> = {
  en: "English",
  es: "Español",
  pt: "Português",
  fr: "Français",
  uk: "Українська",
  ru: "Русский",
  ar: "العربية",
};

const loaders = import.meta.glob<Catalog>(["../i18n/*.json", "!../i18n/en.json"], { import: "default" });

let catalog: Catalog = en;

/** t translates key, replacing {name} with vars.name. */
export function t(key: Key, vars?: Record<string, string | number>): string {
  let s = catalog[key] ?? en[key] ?? key;
  if (vars) s = s.replace(/\{(\w+)\}/g, (m, k) => (k in vars ? String(vars[k]) : m));
  return s;
}

/** pick chooses the language: ?lang=, then the saved choice, then the browser's. */
export function pick(): string {
  const q = new URLSearchParams(location.search).get("lang");
  const saved = (() => {
    try {
      return localStorage.getItem("tribune.lang");
    } catch {
      return null;
    }
  })();
  for (const l of [q, saved, ...navigator.languages]) {
    if (!l) continue;
    const base = l.toLowerCase().split("-")[0];
    if (base in languages) return base;
  }
  return "en";
}

/** use loads a language and sets the document's lang and direction. */
export async function use(l: string, save = false): Promise<void> {
  if (!(l in languages)) l = "en";
  catalog = l === "en" ? en : await loaders[`../i18n/${l}.json`]();
  setLang(l);
  document.documentElement.lang = l;
  document.documentElement.dir = rtl.has(l) ? "rtl" : "ltr";
  if (save) {
    try {
      localStorage.setItem("tribune.lang", l);
    } catch {
      // private mode: the choice lasts for this page
    }
  }
}
