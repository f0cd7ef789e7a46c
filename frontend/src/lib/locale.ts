// The language that text and Intl formats use on this page: set by i18n.use on
// Tribune's own pages, and by the embeddable widget, which brings its own small
// catalogs and must not change the partner page's <html lang>.

export let lang = "en";

/** Languages written right to left. */
export const rtl = new Set(["ar", "fa", "he", "ur"]);

export function setLang(l: string): void {
  lang = l;
}
