/**
 * Picks the visitor's language (?lang=, then the `lang` cookie, then
 * Accept-Language, then the city's first language) among the languages the
 * service ships and the city speaks, English always included.
 */

export type Messages<K extends string> = Record<string, Record<K, string>>;

export const LANGUAGE_NAMES: Record<string, string> = {
  en: 'English',
  es: 'Español',
  el: 'Ελληνικά',
  pt: 'Português',
  fr: 'Français',
  de: 'Deutsch',
  it: 'Italiano',
  hu: 'Magyar',
};

/** City languages that the service has messages for, then English; with no city languages, all it ships. */
export function offeredLanguages(cityLanguages: readonly string[], shipped: readonly string[]): string[] {
  const out: string[] = [];
  for (const l of [...(cityLanguages.length === 0 ? shipped : cityLanguages), 'en'])
    if (shipped.includes(l) && !out.includes(l)) out.push(l);
  return out;
}

export function chooseLanguage(
  offered: readonly string[],
  query: string | null,
  cookie: string | undefined,
  acceptLanguage: string | undefined,
): string {
  if (query !== null && offered.includes(query)) return query;
  if (cookie !== undefined && offered.includes(cookie)) return cookie;
  if (acceptLanguage !== undefined) {
    const ranked = acceptLanguage
      .split(',')
      .map((part) => {
        const [tag, ...params] = part.trim().split(';');
        const q = params.map((p) => p.trim()).find((p) => p.startsWith('q='));
        return { lang: (tag ?? '').toLowerCase().split('-')[0] ?? '', q: q === undefined ? 1 : Number(q.slice(2)) };
      })
      .filter((r) => r.lang !== '' && Number.isFinite(r.q))
      .sort((a, b) => b.q - a.q);
    for (const r of ranked) if (offered.includes(r.lang)) return r.lang;
  }
  return offered[0] ?? 'en';
}

export type Translate<K extends string> = (key: K, vars?: Record<string, string | number>) => string;

export function translator<K extends string>(messages: Messages<K>, lang: string): Translate<K> {
  const table = messages[lang] ?? messages.en;
  if (table === undefined) throw new Error('messages must include English');
  return (key, vars) => {
    let text = table[key];
    if (vars !== undefined)
      for (const [name, value] of Object.entries(vars)) text = text.split(`{${name}}`).join(String(value));
    return text;
  };
}

/** The `{name}` placeholders a message uses, sorted. */
export function placeholders(text: string): string[] {
  return [...new Set([...text.matchAll(/\{([A-Za-z_][\w]*)\}/g)].map((m) => m[1] as string))].sort();
}

/**
 * What is missing for `languages`: every key any language has must exist in
 * each, be non-empty and use the same placeholders as English. Returns one
 * line per gap (`pt: key "x" is missing`); empty when complete.
 */
export function messageGaps(messages: Record<string, Record<string, string>>, languages: readonly string[]): string[] {
  const keys = [...new Set(Object.values(messages).flatMap((table) => Object.keys(table)))].sort();
  const english = messages.en ?? {};
  const gaps: string[] = [];
  for (const lang of languages) {
    const table = messages[lang];
    if (table === undefined) {
      gaps.push(`${lang}: no messages at all`);
      continue;
    }
    for (const key of keys) {
      const text = table[key];
      if (typeof text !== 'string') gaps.push(`${lang}: key "${key}" is missing`);
      else if (text.trim() === '') gaps.push(`${lang}: key "${key}" is empty`);
      else if (english[key] !== undefined && placeholders(text).join() !== placeholders(english[key]).join())
        gaps.push(
          `${lang}: key "${key}" uses {${placeholders(text).join('}, {')}} where English uses {${placeholders(english[key]).join('}, {')}}`,
        );
    }
  }
  return gaps;
}
