/**
 * Every user-visible string in every language: each template's messages, the
 * shared statement and notice text and the marketplace's category names, for
 * each language the template ships and each language a city declares.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { messageGaps, placeholders } from '../../templates/_runtime/i18n';
import { LEGAL_MESSAGES } from '../../templates/_runtime/legal-messages';
import * as participa from '../../templates/participa/app/messages';
import * as urbanismo from '../../templates/urbanismo-en-red/app/messages';
import * as marketplace from '../../templates/virtual-city-marketplace/app/messages';
import { repoRoot } from './app-process';

const TEMPLATES: Record<string, { messages: Record<string, Record<string, string>>; shipped: string[] }> = {
  participa: { messages: participa.MESSAGES, shipped: participa.SHIPPED_LANGUAGES },
  'urbanismo-en-red': { messages: urbanismo.MESSAGES, shipped: urbanismo.SHIPPED_LANGUAGES },
  'virtual-city-marketplace': { messages: marketplace.MESSAGES, shipped: marketplace.SHIPPED_LANGUAGES },
};

function declaredLanguages(template: string): string[] {
  const doc = parse(fs.readFileSync(path.join(repoRoot, 'templates', template, 'template.yaml'), 'utf8')) as {
    languages: string[];
  };
  return doc.languages;
}

const cells = Object.keys(TEMPLATES).flatMap((template) => declaredLanguages(template).map((lang) => [template, lang]));

describe.each(cells)('%s in %s', (template, lang) => {
  const t = TEMPLATES[template] as (typeof TEMPLATES)[string];

  it('has every interface string, non-empty, with the same placeholders as English', () => {
    expect(messageGaps(t.messages, [lang])).toEqual([]);
  });

  it('has the accessibility statement, the privacy notice and the footer links', () => {
    expect(messageGaps(LEGAL_MESSAGES, [lang])).toEqual([]);
  });

  it('is a language the application offers', () => {
    expect(t.shipped).toContain(lang);
  });
});

describe('marketplace category names', () => {
  it.each(declaredLanguages('virtual-city-marketplace'))('exist in %s', (lang) => {
    expect(messageGaps(marketplace.CATEGORY_NAMES, [lang])).toEqual([]);
  });
});

describe('cities speak only languages their services ship', () => {
  const stacks = fs.readdirSync(path.join(repoRoot, 'stacks')).filter((f) => f.endsWith('.yaml'));
  it.each(stacks)('%s', (file) => {
    const doc = parse(fs.readFileSync(path.join(repoRoot, 'stacks', file), 'utf8')) as {
      city: { languages: string[] };
      services?: { template: string }[];
    };
    for (const service of doc.services ?? [])
      for (const lang of doc.city.languages)
        expect(declaredLanguages(service.template), `${file}: ${service.template}`).toContain(lang);
  });
});

describe('messageGaps', () => {
  it('reports a missing key, an empty one and a placeholder that differs from English', () => {
    const messages = {
      en: { hello: 'Hello {name}', bye: 'Bye', count: '{n} ideas' },
      pt: { hello: 'Olá {name}', bye: '  ', count: '{count} ideias' },
      es: { hello: 'Hola {name}', count: '{n} ideas' },
    };
    expect(messageGaps(messages, ['pt', 'es', 'fr'])).toEqual([
      'pt: key "bye" is empty',
      'pt: key "count" uses {count} where English uses {n}',
      'es: key "bye" is missing',
      'fr: no messages at all',
    ]);
    expect(messageGaps(messages, ['en'])).toEqual([]);
  });

  it('finds placeholders', () => {
    expect(placeholders('{b} and {a}, {b} again; not { this }')).toEqual(['a', 'b']);
  });
});
