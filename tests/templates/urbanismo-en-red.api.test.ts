import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type RunningApp,
  adminToken,
  buildTemplate,
  getJson,
  postJson,
  repoRoot,
  startApp,
  tempDataDir,
} from './app-process';

type PlanList = {
  count: number;
  plans: { id: string; district: string; status: string; type: string; documents: { url: string }[] }[];
};

const newPlan = {
  code: 'PE-TEST-2026',
  title: 'Plan Especial de prueba',
  district: 'Centro',
  type: 'plan-especial',
  status: 'draft',
  summary: 'Plan publicado por la prueba de la API.',
  areaHectares: 2.5,
  area: {
    type: 'Polygon',
    coordinates: [
      [
        [-4.73, 41.65],
        [-4.72, 41.65],
        [-4.72, 41.66],
        [-4.73, 41.65],
      ],
    ],
  },
  documents: [{ title: 'Memoria', object: 'pe-test-memoria.pdf', bytes: 2048 }],
};

describe('urbanismo-en-red API', () => {
  let app: RunningApp;
  const dataDir = tempDataDir('urbanismo');
  const version = /^version:\s*(\S+)/m.exec(
    fs.readFileSync(path.join(repoRoot, 'templates/urbanismo-en-red/template.yaml'), 'utf8'),
  )?.[1];

  beforeAll(async () => {
    buildTemplate('urbanismo-en-red');
    app = await startApp('urbanismo-en-red', { dataDir });
  });
  afterAll(async () => app?.stop());

  it('answers /healthz with service, version and the storage check', async () => {
    const r = await getJson(`${app.url}/healthz`);
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({
      status: 'ok',
      service: 'urbanismo-en-red',
      version,
      checks: { storage: { status: 'ok' } },
    });
  });

  it('lists the seeded plans and searches by district, status, type and words', async () => {
    const all = await getJson<PlanList>(`${app.url}/api/plans`);
    expect(all.body.count).toBe(6);
    const delicias = await getJson<PlanList>(`${app.url}/api/plans?district=Delicias`);
    expect(delicias.body.plans.map((p) => p.id).sort()).toEqual(['pp-can-2022', 'pp-lsp-2023']);
    const inForce = await getJson<PlanList>(`${app.url}/api/plans?status=in-force`);
    expect(inForce.body.plans.map((p) => p.id)).toEqual(['pp-lsp-2023']);
    const especial = await getJson<PlanList>(`${app.url}/api/plans?type=plan-especial&district=Parquesol`);
    expect(especial.body.plans.map((p) => p.id)).toEqual(['pe-pq-2025']);
    // Accent-insensitive words: "rio" finds "Río Norte".
    const rio = await getJson<PlanList>(`${app.url}/api/plans?q=rio%20pisuerga`);
    expect(rio.body.plans.map((p) => p.id)).toEqual(['pe-rn-2024']);
  });

  it('serves a plan page with its map and documents, in Spanish and English', async () => {
    const es = await fetch(`${app.url}/plans/pe-rn-2024`, { headers: { 'accept-language': 'es' } });
    const page = await es.text();
    expect(page).toContain('<html lang="es">');
    expect(page).toContain('<svg class="map"');
    expect(page).toContain('Memoria vinculante');
    expect(page).toContain('<main id="main"');
    const en = await (await fetch(`${app.url}/plans/pe-rn-2024?lang=en`)).text();
    expect(en).toContain('<html lang="en">');
    expect(en).toContain('Documents');
    const doc = await fetch(`${app.url}/documents/ped-rio-norte-memoria.pdf`);
    expect(doc.status).toBe(200);
    expect(doc.headers.get('content-type')).toBe('application/pdf');
    expect((await doc.text()).startsWith('%PDF-1.4')).toBe(true);
    expect((await fetch(`${app.url}/documents/..%2Ftemplate.yaml`)).status).toBe(404);
  });

  it('gives the plan area as GeoJSON', async () => {
    const r = await getJson<{ type: string; geometry: { type: string; coordinates: number[][][] } }>(
      `${app.url}/api/plans/pp-can-2022/area.geojson`,
    );
    expect(r.body.type).toBe('Feature');
    expect(r.body.geometry.type).toBe('Polygon');
    expect(r.body.geometry.coordinates[0]!.length).toBeGreaterThanOrEqual(4);
  });

  it('publishes a plan only with the admin token, and validates it', async () => {
    expect((await postJson(`${app.url}/api/plans`, newPlan)).status).toBe(401);
    expect(
      (await postJson(`${app.url}/api/plans`, newPlan, { authorization: 'Bearer wrong-token-wrong-token' })).status,
    ).toBe(401);
    const auth = { authorization: `Bearer ${adminToken(dataDir)}` };
    const bad = await postJson(`${app.url}/api/plans`, { ...newPlan, district: 'Atlantis' }, auth);
    expect(bad.status).toBe(400);
    expect(bad.body).toMatchObject({ error: { field: 'district' } });
    const created = await postJson(`${app.url}/api/plans`, newPlan, auth);
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ id: 'pe-test-2026', status: 'draft' });
    expect((await postJson(`${app.url}/api/plans`, newPlan, auth)).status).toBe(409);
    expect((await getJson<PlanList>(`${app.url}/api/plans`)).body.count).toBe(7);
  });

  it('keeps its data across a restart of the process', async () => {
    await app.stop();
    app = await startApp('urbanismo-en-red', { dataDir });
    const r = await getJson<PlanList>(`${app.url}/api/plans?district=Centro`);
    expect(r.body.plans.map((p) => p.id)).toContain('pe-test-2026');
    expect((await getJson<PlanList>(`${app.url}/api/plans`)).body.count).toBe(7);
  });

  it('links documents to the object container from its config, in the city languages', async () => {
    await app.stop();
    app = await startApp('urbanismo-en-red', {
      dataDir,
      config: {
        city: { name: 'valladolid', displayName: 'Ayuntamiento de Valladolid' },
        languages: ['es', 'en'],
        parameters: { districts: ['Centro', 'Delicias'] },
        objectStorage: { containers: { 'plan-documents': 'http://127.42.0.1:8080/v1/AUTH_p/plan-documents' } },
      },
    });
    const plan = await getJson<{ documents: { url: string }[] }>(`${app.url}/api/plans/pe-rn-2024`);
    expect(plan.body.documents[0]?.url).toBe(
      'http://127.42.0.1:8080/v1/AUTH_p/plan-documents/ped-rio-norte-memoria.pdf',
    );
    const home = await (await fetch(`${app.url}/`)).text();
    expect(home).toContain('<html lang="es">');
    expect(home).toContain('Ayuntamiento de Valladolid');
    expect(home).not.toContain('Parquesol</option>');
  });

  it('pages the list by the pageSize parameter, keeping the filters', async () => {
    await app.stop();
    app = await startApp('urbanismo-en-red', { dataDir, config: { languages: ['en'], parameters: { pageSize: 5 } } });
    const first = await (await fetch(`${app.url}/?q=a`)).text();
    expect(first.match(/<li>\s*<h2>/g)).toHaveLength(5);
    expect(first).toContain('Page 1 of 2');
    expect(first).toContain('href="/?q=a&amp;page=2" rel="next"');
    const second = await (await fetch(`${app.url}/?q=a&page=2`)).text();
    expect(second.match(/<li>\s*<h2>/g)).toHaveLength(2);
    expect(second).toContain('rel="prev"');
    expect(await (await fetch(`${app.url}/?page=99`)).text()).toContain('Page 2 of 2');
  });

  it('answers 503 naming the failed check when its data volume is gone', async () => {
    fs.rmSync(dataDir, { recursive: true, force: true });
    const r = await getJson<{ status: string; checks: { storage: { status: string; error: string } } }>(
      `${app.url}/healthz`,
    );
    expect(r.status).toBe(503);
    expect(r.body.status).toBe('fail');
    expect(r.body.checks.storage.status).toBe('fail');
    expect(r.body.checks.storage.error).toMatch(/ENOENT/);
  });
});
