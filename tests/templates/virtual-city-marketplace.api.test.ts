import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningApp, buildTemplate, getJson, postJson, repoRoot, startApp, tempDataDir } from './app-process';

type ServiceList = {
  count: number;
  services: { id: string; category: string; area: string; contactEmail?: string; keyHash?: string }[];
};

const listing = {
  business: 'Κλειδαράς Βαρδάρη',
  title: 'Αντικατάσταση κλειδαριάς ασφαλείας',
  category: 'repairs',
  area: 'Kentro',
  price: 45,
  description: 'Αντικατάσταση κυλίνδρου και κλειδαριάς ασφαλείας σε πόρτες κατοικιών, την ίδια μέρα.',
  contactEmail: 'info@kleidaras.example',
};

describe('virtual-city-marketplace API', () => {
  let app: RunningApp;
  const dataDir = tempDataDir('marketplace');
  const version = /^version:\s*(\S+)/m.exec(
    fs.readFileSync(path.join(repoRoot, 'templates/virtual-city-marketplace/template.yaml'), 'utf8'),
  )?.[1];
  let serviceId = '';
  let businessKey = '';
  let requestId = '';
  let followUpToken = '';

  beforeAll(async () => {
    buildTemplate('virtual-city-marketplace');
    app = await startApp('virtual-city-marketplace', { dataDir });
  });
  afterAll(async () => app?.stop());

  it('answers /healthz', async () => {
    const r = await getJson(`${app.url}/healthz`);
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ status: 'ok', service: 'virtual-city-marketplace', version });
  });

  it('lists the seeded services and searches by category, area and words, without private fields', async () => {
    const all = await getJson<ServiceList>(`${app.url}/api/services`);
    expect(all.body.count).toBe(8);
    expect(all.body.services.every((s) => s.contactEmail === undefined && s.keyHash === undefined)).toBe(true);
    const repairs = await getJson<ServiceList>(`${app.url}/api/services?category=repairs`);
    expect(repairs.body.services.map((s) => s.area).sort()).toEqual(['Evosmos', 'Kentro']);
    const anoPoli = await getJson<ServiceList>(`${app.url}/api/services?area=Ano%20Poli&category=tourism`);
    expect(anoPoli.body.count).toBe(1);
    const words = await getJson<ServiceList>(`${app.url}/api/services?q=cargo`);
    expect(words.body.services.map((s) => s.category)).toEqual(['mobility']);
  });

  it('lets a business list a service and get its key once', async () => {
    const bad = await postJson(`${app.url}/api/services`, { ...listing, category: 'weapons' });
    expect(bad.status).toBe(400);
    expect(bad.body).toMatchObject({ error: { field: 'category' } });
    const created = await postJson(`${app.url}/api/services`, listing);
    expect(created.status).toBe(201);
    const body = created.body as { service: { id: string }; businessKey: string };
    serviceId = body.service.id;
    businessKey = body.businessKey;
    expect(businessKey.length).toBeGreaterThanOrEqual(20);
    expect(fs.readFileSync(path.join(dataDir, 'market.json'), 'utf8')).not.toContain(businessKey);
    expect((await getJson<ServiceList>(`${app.url}/api/services?category=repairs`)).body.count).toBe(3);
  });

  it('lets a citizen send a request that only the business can read and answer', async () => {
    const invalid = await postJson(`${app.url}/api/services/${serviceId}/requests`, {
      name: 'Ελένη',
      email: 'not-an-email',
      message: 'Γεια',
    });
    expect(invalid.status).toBe(400);
    const sent = await postJson(`${app.url}/api/services/${serviceId}/requests`, {
      name: 'Ελένη Π.',
      email: 'eleni@example.gr',
      message: 'Μπορείτε αύριο το πρωί;',
    });
    expect(sent.status).toBe(201);
    requestId = String(sent.body.id);
    const followUp = String(sent.body.followUpToken);
    expect(sent.body.followUpUrl).toBe(`/requests/${requestId}?t=${encodeURIComponent(followUp)}`);
    const pending = await getJson(`${app.url}/api/requests/${requestId}`, {
      headers: { authorization: `Bearer ${followUp}` },
    });
    expect(pending.body).toMatchObject({ id: requestId, answer: null });
    expect(
      (
        await getJson(`${app.url}/api/requests/${requestId}`, {
          headers: { authorization: 'Bearer guessed-token-guessed' },
        })
      ).status,
    ).toBe(404);
    followUpToken = followUp;
    expect((await getJson(`${app.url}/api/services/${serviceId}/requests`)).status).toBe(401);
    expect(
      (
        await getJson(`${app.url}/api/services/${serviceId}/requests`, {
          headers: { authorization: 'Bearer not-the-key' },
        })
      ).status,
    ).toBe(401);
    const inbox = await getJson<{ count: number; requests: { id: string; email: string }[] }>(
      `${app.url}/api/services/${serviceId}/requests`,
      { headers: { authorization: `Bearer ${businessKey}` } },
    );
    expect(inbox.body.requests).toEqual([expect.objectContaining({ id: requestId, email: 'eleni@example.gr' })]);
    const answered = await postJson(
      `${app.url}/api/services/${serviceId}/requests/${requestId}/answer`,
      { answer: 'Ναι, στις 9:00.' },
      { authorization: `Bearer ${businessKey}` },
    );
    expect(answered.status).toBe(200);
    expect(answered.body).toMatchObject({ answer: 'Ναι, στις 9:00.' });
    expect(answered.body.followUpHash).toBeUndefined();
    // The citizen sees the answer with their follow-up token.
    const seen = await getJson(`${app.url}/api/requests/${requestId}`, {
      headers: { authorization: `Bearer ${followUpToken}` },
    });
    expect(seen.body).toMatchObject({ answer: 'Ναι, στις 9:00.' });
  });

  it('publishes through the HTML form and shows the key with an inbox cookie', async () => {
    const form = new URLSearchParams({ ...listing, price: '12,50', title: 'Μικροεπισκευές' });
    const res = await fetch(`${app.url}/publish?lang=en`, {
      method: 'POST',
      body: form,
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    });
    expect(res.status).toBe(201);
    const page = await res.text();
    expect(page).toMatch(/<code id="business-key">[A-Za-z0-9_-]{20,}<\/code>/);
    expect(res.headers.get('set-cookie')).toMatch(/biz=.*HttpOnly/);
  });

  it('keeps listings, requests and answers across a restart of the process', async () => {
    await app.stop();
    app = await startApp('virtual-city-marketplace', { dataDir });
    expect((await getJson<ServiceList>(`${app.url}/api/services`)).body.count).toBe(10);
    const inbox = await getJson<{ requests: { answer?: string }[] }>(`${app.url}/api/services/${serviceId}/requests`, {
      headers: { authorization: `Bearer ${businessKey}` },
    });
    expect(inbox.body.requests[0]?.answer).toBe('Ναι, στις 9:00.');
  });

  it('renders the list in Greek and English with landmarks', async () => {
    const el = await (await fetch(`${app.url}/?lang=el`)).text();
    expect(el).toContain('<html lang="el">');
    expect(el).toContain('Εικονική Αγορά της Πόλης');
    const en = await (await fetch(`${app.url}/?lang=en&category=food`)).text();
    expect(en).toContain('<html lang="en">');
    expect(en).toContain('role="search"');
    expect(en).toMatch(/<label for="f-category">Category<\/label\s*>/);
  });
});
