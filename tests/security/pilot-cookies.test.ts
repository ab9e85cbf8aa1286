/**
 * The pilots' cookies: the sessions of participa's moderators and of marketplace
 * businesses, and voter ids, are HttpOnly and SameSite, and `Secure` as soon
 * as the site is served over HTTPS — so they never travel over plain HTTP.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningApp, adminToken, buildTemplate, getJson, startApp, tempDataDir } from '../templates/app-process';

const form = (fields: Record<string, string>, headers: Record<string, string> = {}): RequestInit => ({
  method: 'POST',
  redirect: 'manual',
  body: new URLSearchParams(fields),
  headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
});

/** One Set-Cookie header as attribute → value (flags map to ''). */
function attributes(setCookie: string | null): Record<string, string> {
  expect(setCookie).not.toBeNull();
  const [, ...attrs] = (setCookie as string).split(';').map((p) => p.trim());
  return Object.fromEntries(attrs.map((a) => [a.split('=')[0]?.toLowerCase() ?? '', a.split('=')[1] ?? '']));
}

describe('participa cookies', () => {
  let app: RunningApp;
  let https: RunningApp;
  beforeAll(async () => {
    buildTemplate('participa');
    app = await startApp('participa', { dataDir: tempDataDir('sec-cookies') });
    https = await startApp('participa', {
      dataDir: tempDataDir('sec-cookies-https'),
      config: { publicUrl: 'https://participa.agueda.example' },
    });
  });
  afterAll(async () => {
    await app?.stop();
    await https?.stop();
  });

  it('sends the moderator session only in a Secure, HttpOnly, SameSite=Strict cookie when served over HTTPS', async () => {
    const plain = attributes(
      (await fetch(`${app.url}/moderation/login`, form({ token: adminToken(app.dataDir) }))).headers.get('set-cookie'),
    );
    expect(plain).toMatchObject({ path: '/moderation', samesite: 'Strict', httponly: '' });
    expect(plain).not.toHaveProperty('secure');
    const proxied = await fetch(
      `${app.url}/moderation/login`,
      form({ token: adminToken(app.dataDir) }, { 'x-forwarded-proto': 'https' }),
    );
    expect(attributes(proxied.headers.get('set-cookie'))).toMatchObject({
      samesite: 'Strict',
      httponly: '',
      secure: '',
    });
    const configured = await fetch(`${https.url}/moderation/login`, form({ token: adminToken(https.dataDir) }));
    expect(attributes(configured.headers.get('set-cookie'))).toMatchObject({
      samesite: 'Strict',
      httponly: '',
      secure: '',
    });
  });

  it('keeps the admin token out of the browser: a signed session that forgeries and a changed token end', async () => {
    const token = adminToken(app.dataDir);
    const login = await fetch(`${app.url}/moderation/login`, form({ token }));
    const session = (login.headers.get('set-cookie') ?? '').split(';')[0] as string;
    expect(session).toMatch(/^mod=/);
    expect(session).not.toContain(token);
    const signedIn = async (cookie: string): Promise<boolean> =>
      (await (await fetch(`${app.url}/moderation`, { headers: { cookie } })).text()).includes(
        'action="/moderation/ideas/',
      );
    expect(await signedIn(session)).toBe(true);
    expect(await signedIn(`mod=${token}`)).toBe(false);
    const value = decodeURIComponent(session.slice('mod='.length));
    const later = value.replace(/~(\d+)\./, (_, exp: string) => `~${Number(exp) + 86400}.`);
    expect(later).not.toBe(value);
    expect(await signedIn(`mod=${encodeURIComponent(later)}`)).toBe(false);
    const post = await fetch(
      `${app.url}/moderation/ideas/x/status`,
      form({ status: 'done' }, { cookie: `mod=${token}` }),
    );
    expect(post.status).toBe(401);
    // The operator replaces the admin token: every session signed for the old one ends.
    await app.stop();
    const file = path.join(app.dataDir, 'admin-token');
    fs.writeFileSync(file, 'a-new-admin-token-0123456789abcdef\n', { mode: 0o600 });
    app = await startApp('participa', { dataDir: app.dataDir });
    expect(await signedIn(session)).toBe(false);
  });

  it('keeps the voter id in a signed HttpOnly SameSite=Lax cookie, Secure over HTTPS', async () => {
    const [idea] = (await getJson<{ ideas: { id: string }[] }>(`${app.url}/api/ideas`)).body.ideas;
    const vote = (url: string, headers: Record<string, string> = {}) =>
      fetch(`${url}/ideas/${idea!.id}/vote`, { method: 'POST', redirect: 'manual', headers });
    const plain = (await vote(app.url)).headers.get('set-cookie');
    expect(plain).toMatch(/^voter=[A-Za-z0-9_-]{24}\.[A-Za-z0-9_-]{43};/);
    expect(attributes(plain)).toMatchObject({ samesite: 'Lax', httponly: '' });
    expect(attributes(plain)).not.toHaveProperty('secure');
    expect(
      attributes((await vote(app.url, { forwarded: 'for=192.0.2.1;proto=https' })).headers.get('set-cookie')),
    ).toHaveProperty('secure');
    expect(attributes((await vote(https.url)).headers.get('set-cookie'))).toHaveProperty('secure');
  });
});

describe('marketplace cookies', () => {
  let app: RunningApp;
  beforeAll(async () => {
    buildTemplate('virtual-city-marketplace');
    app = await startApp('virtual-city-marketplace', { dataDir: tempDataDir('sec-market') });
  });
  afterAll(async () => app?.stop());

  it('sends the business session only in a Secure, HttpOnly, SameSite=Strict cookie when served over HTTPS', async () => {
    const meta = (await getJson<{ categories: string[]; areas: string[] }>(`${app.url}/api/meta`)).body;
    const listing = {
      business: 'Ποδήλατα Θεσσαλονίκης',
      title: 'Ποδηλατάδικο',
      description: 'Επισκευές ποδηλάτων στο κέντρο.',
      category: meta.categories[0] as string,
      area: meta.areas[0] as string,
      contactEmail: 'shop@example.org',
    };
    for (const [headers, secure] of [
      [{}, false],
      [{ 'x-forwarded-proto': 'https' }, true],
    ] as const) {
      const r = await fetch(`${app.url}/publish`, form(listing, headers));
      expect(r.status).toBe(201);
      const attrs = attributes(r.headers.get('set-cookie'));
      expect(attrs).toMatchObject({ samesite: 'Strict', httponly: '' });
      expect('secure' in attrs).toBe(secure);
    }
  });

  it('keeps the business key out of the browser: the cookie opens one listing’s inbox and is not the key', async () => {
    const meta = (await getJson<{ categories: string[]; areas: string[] }>(`${app.url}/api/meta`)).body;
    const publish = async (title: string): Promise<{ id: string; key: string; cookie: string }> => {
      const r = await fetch(
        `${app.url}/publish`,
        form({
          business: 'Ποδήλατα',
          title,
          description: 'Επισκευές.',
          category: meta.categories[0] as string,
          area: meta.areas[0] as string,
          contactEmail: 'shop@example.org',
        }),
      );
      const page = await r.text();
      return {
        id: /href="\/services\/([^"/]+)\/inbox"/.exec(page)?.[1] as string,
        key: /<code id="business-key">([^<]+)<\/code>/.exec(page)?.[1] as string,
        cookie: (r.headers.get('set-cookie') ?? '').split(';')[0] as string,
      };
    };
    const a = await publish('A');
    const b = await publish('B');
    expect(a.key).toMatch(/^[A-Za-z0-9_-]{24}$/);
    expect(a.cookie).not.toContain(a.key);
    const inboxOpen = async (id: string, cookie: string): Promise<boolean> =>
      !(await (await fetch(`${app.url}/services/${id}/inbox`, { headers: { cookie } })).text()).includes('name="key"');
    expect(await inboxOpen(a.id, a.cookie)).toBe(true);
    expect(await inboxOpen(b.id, a.cookie)).toBe(false);
    expect(await inboxOpen(a.id, `biz=${a.key}`)).toBe(false);
  });
});
