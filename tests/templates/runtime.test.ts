import { describe, expect, it } from 'vitest';
import { bearerMatches } from '../../templates/_runtime/config';
import { Router, parseCookies } from '../../templates/_runtime/http';
import { chooseLanguage, offeredLanguages, translator } from '../../templates/_runtime/i18n';
import { escapeHtml, html, layout, raw } from '../../templates/_runtime/html';
import { polygonSvg } from '../../templates/urbanismo-en-red/app/map';
import { searchPlans, slugify, validateArea, type Plan } from '../../templates/urbanismo-en-red/app/plans';
import { pruneRequests, type MarketData } from '../../templates/virtual-city-marketplace/app/market';
import { castVote, rankIdeas, type Idea } from '../../templates/participa/app/ideas';

describe('html', () => {
  it('escapes every interpolation unless it is SafeHtml', () => {
    const name = '<script>alert("x")</script>';
    expect(html`<p title="${name}">${name}</p>`.value).toBe(
      '<p title="&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;">&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;</p>',
    );
    // Prettier lays out html`` literals, so compare without the whitespace between tags.
    expect(
      html`<ul>
        ${['a', raw('<b>b</b>')].map((x) => html`<li>${x}</li>`)}
      </ul>`.value.replace(/>\s+</g, '><'),
    ).toBe('<ul><li>a</li><li><b>b</b></li></ul>');
    expect(escapeHtml(`'&'`)).toBe('&#39;&amp;&#39;');
  });
});

describe('i18n', () => {
  it('offers the city languages the service ships, then English', () => {
    expect(offeredLanguages(['es', 'ca'], ['es', 'en'])).toEqual(['es', 'en']);
    expect(offeredLanguages([], ['pt', 'en'])).toEqual(['pt', 'en']);
    expect(offeredLanguages(['hu'], ['pt', 'en'])).toEqual(['en']);
  });

  it('chooses ?lang=, then the cookie, then Accept-Language by weight, then the first language', () => {
    const offered = ['el', 'en'];
    expect(chooseLanguage(offered, 'en', 'el', 'el')).toBe('en');
    expect(chooseLanguage(offered, 'fr', 'el', 'en')).toBe('el');
    expect(chooseLanguage(offered, null, undefined, 'de-DE,en;q=0.8,el;q=0.9')).toBe('el');
    expect(chooseLanguage(offered, null, undefined, 'de')).toBe('el');
  });

  it('fills message variables', () => {
    const t = translator({ en: { hello: 'Hello {name}, {n} new' } }, 'xx');
    expect(t('hello', { name: 'Ana', n: 3 })).toBe('Hello Ana, 3 new');
  });
});

describe('router', () => {
  const router = new Router().get('/plans/:id', () => undefined).post('/api/plans', () => undefined);
  it('matches parameters and reports allowed methods', () => {
    const m = router.match('GET', '/plans/pe-1');
    expect('params' in m && m.params).toEqual({ id: 'pe-1' });
    expect(router.match('GET', '/api/plans')).toEqual({ allowed: ['POST'] });
    expect(router.match('GET', '/nowhere')).toEqual({ allowed: [] });
    expect('handler' in router.match('HEAD', '/plans/x')).toBe(true);
  });
  it('parses cookies and ignores malformed ones', () => {
    expect(parseCookies('lang=el; voter=abc%20d; bad=%E0%A4%A')).toEqual({ lang: 'el', voter: 'abc d' });
  });
  it('compares bearer tokens', () => {
    expect(bearerMatches('Bearer s3cr3t-token-123456', 's3cr3t-token-123456')).toBe(true);
    expect(bearerMatches('Bearer wrong', 's3cr3t-token-123456')).toBe(false);
    expect(bearerMatches('Basic s3cr3t-token-123456', 's3cr3t-token-123456')).toBe(false);
    expect(bearerMatches(undefined, 's3cr3t-token-123456')).toBe(false);
  });
});

describe('urbanismo-en-red plans', () => {
  const square = {
    type: 'Polygon' as const,
    coordinates: [
      [
        [-4.73, 41.65],
        [-4.72, 41.65],
        [-4.72, 41.66],
        [-4.73, 41.66],
        [-4.73, 41.65],
      ] as [number, number][],
    ],
  };
  const plan = (id: string, district: string, title: string, publishedAt: string): Plan => ({
    id,
    code: id.toUpperCase(),
    title,
    district,
    type: 'plan-parcial',
    status: 'draft',
    summary: '',
    dates: {},
    areaHectares: 1,
    area: square,
    documents: [],
    publishedAt,
  });
  it('searches accent-insensitively, newest first', () => {
    const plans = [
      plan('a', 'Centro', 'Plaza Mayor', '2024-01-01'),
      plan('b', 'Centro', 'Ribera del Río', '2025-01-01'),
      plan('c', 'Delicias', 'Río Esgueva', '2023-01-01'),
    ];
    expect(searchPlans(plans, { q: 'rio' }).map((p) => p.id)).toEqual(['b', 'c']);
    expect(searchPlans(plans, { district: 'Centro' }).map((p) => p.id)).toEqual(['b', 'a']);
  });
  it('validates polygons and slugs codes', () => {
    expect(validateArea(square)).toEqual(square);
    expect(() =>
      validateArea({
        type: 'Polygon',
        coordinates: [
          [
            [0, 0],
            [1, 1],
            [0, 0],
          ],
        ],
      }),
    ).toThrow(/at least 4/);
    expect(() => validateArea({ type: 'Point', coordinates: [0, 0] })).toThrow(/Polygon/);
    expect(slugify('PE-Río Norte/2024')).toBe('pe-rio-norte-2024');
  });
  it('draws the polygon as labelled SVG, north up', () => {
    const svg = polygonSvg(square, 'Ámbito <PP>');
    expect(svg).toContain('role="img"');
    expect(svg).toContain('aria-label="Ámbito &lt;PP>"');
    const d = /<path d="M([^"]+)Z"/.exec(svg.slice(svg.indexOf('fill-rule') - 400))?.[1] ?? '';
    const pts = d.split('L').map((p) => p.split(',').map(Number));
    // The southern edge (lat 41.65) is drawn below the northern one.
    expect(pts[0]![1]).toBeGreaterThan(pts[2]![1]!);
  });
});

describe('marketplace retention', () => {
  it('deletes requests older than the retention period', () => {
    const data: MarketData = {
      listings: [],
      requests: [
        {
          id: 'old',
          listingId: 'l',
          name: 'A',
          email: 'a@x.gr',
          message: 'm',
          createdAt: '2026-01-01T00:00:00.000Z',
          followUpHash: 'h1',
        },
        {
          id: 'new',
          listingId: 'l',
          name: 'B',
          email: 'b@x.gr',
          message: 'm',
          createdAt: '2026-06-01T00:00:00.000Z',
          followUpHash: 'h2',
        },
      ],
    };
    expect(pruneRequests(data, 90, new Date('2026-07-01T00:00:00.000Z'))).toBe(1);
    expect(data.requests.map((r) => r.id)).toEqual(['new']);
  });
});

describe('participa votes', () => {
  const idea = (id: string, status: Idea['status'], votes: number): Idea => ({
    id,
    title: id,
    description: '',
    parish: 'P',
    location: { street: 's' },
    author: '',
    status,
    createdAt: '2026-01-01',
    updatedAt: '2026-01-01',
    comments: [],
    voterHashes: Array.from({ length: votes }, (_, i) => `h${i}`),
  });
  it('counts one vote per voter and none on closed ideas', () => {
    const i = idea('a', 'submitted', 0);
    expect(castVote(i, 'voter-0123456789abcdef')).toBe(1);
    expect(() => castVote(i, 'voter-0123456789abcdef')).toThrow(/already voted/);
    expect(() => castVote(idea('b', 'done', 0), 'voter-0123456789abcdef')).toThrow(/closed/);
  });
  it('ranks by votes and hides rejected ideas unless asked for', () => {
    const ideas = [idea('a', 'submitted', 2), idea('b', 'accepted', 5), idea('c', 'rejected', 9)];
    expect(rankIdeas(ideas, {}).map((i) => i.id)).toEqual(['b', 'a']);
    expect(rankIdeas(ideas, { status: 'rejected' }).map((i) => i.id)).toEqual(['c']);
  });
});

describe('layout', () => {
  it('keeps the query string in the language links', async () => {
    const page = layout({
      lang: 'el',
      search: '?t=abc&lang=el',
      languages: [
        { code: 'el', name: 'Ελληνικά' },
        { code: 'en', name: 'English' },
      ],
      title: 'T',
      siteName: 'S',
      cityName: 'C',
      nav: [],
      body: html`<p>b</p>`,
      footer: 'f',
      labels: { skipToContent: 's', language: 'l', mainNavigation: 'm' },
    });
    expect(page).toMatch(/href="\?t=abc&amp;lang=en"\s+hreflang="en"/);
    expect(page).toContain('<html lang="el">');
  });
});
