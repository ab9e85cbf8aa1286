/**
 * HTML built with a tagged template that escapes every interpolated value
 * unless it is already SafeHtml, so forgetting to escape is not possible.
 */

import { LEGAL_MESSAGES } from './legal-messages';

export class SafeHtml {
  constructor(readonly value: string) {}
  toString(): string {
    return this.value;
  }
}

const ENTITIES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/** One pass, and none at all for the common text with nothing to escape: every page escapes hundreds of values. */
export function escapeHtml(text: string): string {
  return /[&<>"']/.test(text) ? text.replace(/[&<>"']/g, (c) => ENTITIES[c] as string) : text;
}

type Interpolation = SafeHtml | string | number | boolean | null | undefined | readonly Interpolation[];

function render(value: Interpolation): string {
  if (value === null || value === undefined || value === false) return '';
  if (value instanceof SafeHtml) return value.value;
  if (Array.isArray(value)) return value.map((v: Interpolation) => render(v)).join('');
  return escapeHtml(String(value));
}

export function html(strings: TemplateStringsArray, ...values: Interpolation[]): SafeHtml {
  let out = strings[0] ?? '';
  values.forEach((value, i) => {
    out += render(value) + (strings[i + 1] ?? '');
  });
  return new SafeHtml(out);
}

/** Trusted markup (e.g. generated SVG whose numbers we computed). */
export function raw(markup: string): SafeHtml {
  return new SafeHtml(markup);
}

export interface LayoutOptions {
  lang: string;
  /** The request's query string: the language links keep it (a follow-up token, a search). */
  search?: string;
  /** Languages the visitor can switch to (code → own name). */
  languages: readonly { code: string; name: string }[];
  title: string;
  siteName: string;
  cityName: string;
  nav: readonly { href: string; label: string; current?: boolean }[];
  body: SafeHtml;
  footer: string;
  labels: { skipToContent: string; language: string; mainNavigation: string };
}

export function layout(o: LayoutOptions): string {
  const hrefFor = (code: string): string => {
    const q = new URLSearchParams(o.search ?? '');
    q.set('lang', code);
    return `?${q.toString()}`;
  };
  const switcher = o.languages.map(
    (l) =>
      html`<li>
        <a
          href="${hrefFor(l.code)}"
          hreflang="${l.code}"
          lang="${l.code}"
          ${l.code === o.lang ? raw(' aria-current="true"') : ''}
          >${l.name}</a
        >
      </li>`,
  );
  const legal = LEGAL_MESSAGES[o.lang] ?? LEGAL_MESSAGES.en;
  const alternates = o.languages.map(
    (l) => html`<link rel="alternate" hreflang="${l.code}" href="${hrefFor(l.code)}" />`,
  );
  const nav = o.nav.map(
    (n) => html`<li><a href="${n.href}" ${n.current === true ? raw(' aria-current="page"') : ''}>${n.label}</a></li>`,
  );
  return `<!doctype html>\n${
    html`<html lang="${o.lang}">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <title>${o.title} · ${o.siteName}</title>
        <link rel="stylesheet" href="/assets/storm.css" />
        ${alternates}
      </head>
      <body>
        <a class="skip" href="#main">${o.labels.skipToContent}</a>
        <header class="site">
          <p class="city">${o.cityName}</p>
          <p class="site-name"><a href="/">${o.siteName}</a></p>
          <nav aria-label="${o.labels.language}">
            <ul class="langs">
              ${switcher}
            </ul>
          </nav>
        </header>
        <nav class="main-nav" aria-label="${o.labels.mainNavigation}">
          <ul>
            ${nav}
          </ul>
        </nav>
        <main id="main" tabindex="-1">
          <h1>${o.title}</h1>
          ${o.body}
        </main>
        <footer class="site">
          <p>${o.footer}</p>
          <ul class="legal">
            <li><a href="/accessibility">${legal?.accessibility}</a></li>
            <li><a href="/privacy">${legal?.privacy}</a></li>
          </ul>
        </footer>
      </body>
    </html>`.value
  }\n`;
}

/** Shared stylesheet: system fonts, WCAG AA contrast, visible focus. */
export const STYLESHEET = `
:root { --fg:#1b1b1b; --bg:#ffffff; --muted:#4a4a4a; --accent:#0b4f8a; --accent-bg:#e8f0f8; --ok:#1d6b2f; --warn:#8a4b00; --line:#c7c7c7; }
* { box-sizing: border-box; }
body { margin:0; font: 16px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, "Noto Sans", sans-serif; color:var(--fg); background:var(--bg); }
a { color: var(--accent); }
a:focus, button:focus, input:focus, select:focus, textarea:focus, main:focus { outline: 3px solid #f2a900; outline-offset: 2px; }
.skip { position:absolute; left:-9999px; top:0; background:var(--fg); color:#fff; padding:.5rem 1rem; }
.skip:focus { left:0; }
header.site { display:flex; flex-wrap:wrap; align-items:center; gap:1rem; padding:.75rem 1.5rem; background:var(--accent); color:#fff; }
header.site a { color:#fff; }
header.site p { margin:0; }
.city { font-size:.9rem; }
.site-name { font-size:1.3rem; font-weight:700; flex:1; }
.site-name a { text-decoration:none; }
ul.langs { list-style:none; display:flex; gap:.75rem; margin:0; padding:0; }
ul.langs a[aria-current] { font-weight:700; text-decoration:none; border-bottom:2px solid #fff; }
nav.main-nav ul { list-style:none; display:flex; gap:1.25rem; margin:0; padding:.5rem 1.5rem; background:var(--accent-bg); }
nav.main-nav a[aria-current] { font-weight:700; }
main { max-width:62rem; margin:0 auto; padding:1rem 1.5rem 3rem; }
footer.site { border-top:1px solid var(--line); color:var(--muted); padding:1rem 1.5rem; font-size:.9rem; }
form.inline { display:inline-block; margin:.25rem 0 .25rem .75rem; }
footer.site ul.legal { list-style:none; display:flex; flex-wrap:wrap; gap:1.25rem; margin:.5rem 0 0; padding:0; }
form.filters { display:flex; flex-wrap:wrap; gap:1rem; align-items:flex-end; margin:1rem 0; padding:1rem; background:var(--accent-bg); border-radius:4px; }
form label { display:block; font-weight:600; margin-bottom:.25rem; }
form .field { margin-bottom:1rem; }
input, select, textarea { font:inherit; padding:.4rem .5rem; border:1px solid #6b6b6b; border-radius:3px; max-width:100%; }
textarea { width:100%; min-height:6rem; }
button { font:inherit; padding:.45rem 1rem; background:var(--accent); color:#fff; border:0; border-radius:3px; cursor:pointer; }
.cards { list-style:none; padding:0; display:grid; grid-template-columns:repeat(auto-fill,minmax(17rem,1fr)); gap:1rem; }
.cards > li { border:1px solid var(--line); border-radius:4px; padding:1rem; }
.cards h2, .cards h3 { margin-top:0; font-size:1.1rem; }
.badge { display:inline-block; padding:0 .5rem; border-radius:3px; background:var(--accent-bg); color:var(--accent); font-size:.85rem; font-weight:600; }
.meta { color:var(--muted); font-size:.9rem; }
.notice { padding:.75rem 1rem; border-left:4px solid var(--ok); background:#eef7f0; }
.error { padding:.75rem 1rem; border-left:4px solid #a4141d; background:#fbeeee; }
dl.facts { display:grid; grid-template-columns:max-content 1fr; gap:.25rem 1rem; }
dl.facts dt { font-weight:600; }
dl.facts dd { margin:0; }
svg.map { width:100%; max-width:32rem; height:auto; border:1px solid var(--line); background:#f6f8f4; }
table { border-collapse:collapse; width:100%; }
th, td { text-align:left; padding:.4rem .6rem; border-bottom:1px solid var(--line); vertical-align:top; }
`;
