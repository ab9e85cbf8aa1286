/**
 * Designate over real HTTP against an in-process sandbox whose clock the test
 * moves (status delay 1 s): zones with their managed SOA and NS, record sets,
 * the PENDING → ACTIVE status with its action, zones of other projects,
 * Designate's error bodies, and every successful answer validated against dns-v2.yaml.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RecordedResponse } from '../../src/sandbox/server.js';
import { type Answer, call, loginToken, startTestSandbox, type TestSandbox } from './helpers.js';
import { validateResponse } from './openapi.js';

let sb: TestSandbox;
let admin: string;
let demo: string;
const recorded: RecordedResponse[] = [];
const DELAY = 1000;
const DNS = '/dns/v2';

async function api(method: string, path: string, token: string, body?: unknown): Promise<Answer> {
  return call(`${sb.url}${path}`, { method, token, ...(body === undefined ? {} : { body: JSON.stringify(body) }) });
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
const json = (a: Answer): any => a.json;
const settle = (): void => sb.advance(DELAY + 1);

beforeAll(async () => {
  sb = await startTestSandbox({ statusDelayMs: DELAY, onJsonResponse: (r) => recorded.push(r) });
  admin = await loginToken(sb, 'admin');
  demo = await loginToken(sb, 'demo');
});

afterAll(async () => {
  // The version document (GET /dns/) is not in the file, which knows the API below /v2 only.
  const answers = recorded.filter((r) => r.service === 'dns' && r.status < 300 && r.path !== '/dns/');
  const violations = answers
    .map((r) => validateResponse('dns', r.method, r.path, r.status, r.body))
    .filter((v) => v !== undefined);
  expect(violations).toEqual([]);
  expect(answers.length).toBeGreaterThan(10);
  await sb?.close();
});

describe('zones', () => {
  it('are in the catalog as dns, go PENDING/CREATE → ACTIVE/NONE, and carry a managed SOA and NS', async () => {
    const issued = await call(`${sb.url}/identity/v3/auth/tokens`, {
      method: 'POST',
      body: JSON.stringify({
        auth: {
          identity: {
            methods: ['password'],
            password: { user: { name: 'demo', domain: { name: 'Default' }, password: sb.sandbox.logins.demo } },
          },
          scope: { project: { name: 'demo', domain: { name: 'Default' } } },
        },
      }),
    });
    const entry = json(issued).token.catalog.find((c: { type: string }) => c.type === 'dns');
    expect(entry.name).toBe('designate');

    const res = await api('POST', `${DNS}/zones`, demo, {
      name: 'valladolid.example.',
      email: 'ops@valladolid.example',
    });
    expect(res.status, res.text).toBe(202);
    const zone = json(res);
    expect(zone).toMatchObject({
      name: 'valladolid.example.',
      status: 'PENDING',
      action: 'CREATE',
      ttl: 3600,
      type: 'PRIMARY',
      pool_id: '794ccc2c-d751-44fe-b57f-8894c9f5c842',
    });
    expect(zone.created_at).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}$/);
    settle();
    expect(json(await api('GET', `${DNS}/zones/${zone.id}`, demo))).toMatchObject({ status: 'ACTIVE', action: 'NONE' });
    const sets = json(await api('GET', `${DNS}/zones/${zone.id}/recordsets`, demo)).recordsets;
    expect(sets.map((r: { type: string }) => r.type).sort()).toEqual(['NS', 'SOA']);
    const soa = sets.find((r: { type: string }) => r.type === 'SOA');
    expect(soa.records[0]).toMatch(/^ns1\.devstack\.org\. ops\.valladolid\.example\. \d+ 3584 600 86400 3600$/);

    const dup = await api('POST', `${DNS}/zones`, admin, { name: 'valladolid.example.', email: 'x@y.example' });
    expect(dup.status).toBe(409);
    expect(json(dup)).toMatchObject({ code: 409, type: 'duplicate_zone', message: 'Duplicate Zone' });
    expect(json(dup).request_id).toBe(dup.headers.get('x-openstack-request-id'));

    const sub = await api('POST', `${DNS}/zones`, admin, { name: 'www.valladolid.example.', email: 'x@y.example' });
    expect(sub.status).toBe(403);
    expect(json(sub)).toMatchObject({ type: 'forbidden', message: 'Unable to create subzone in another tenants zone' });
    expect((await api('GET', `${DNS}/zones/${zone.id}`, admin)).status).toBe(404);

    const bad = await api('POST', `${DNS}/zones`, demo, { name: 'no-dot.example', email: 'x@y.example' });
    expect(json(bad)).toMatchObject({
      code: 400,
      type: 'invalid_object',
      message: "Provided object does not match schema 'zone': 'no-dot.example' is not a 'domainname'",
    });

    const patched = await api('PATCH', `${DNS}/zones/${zone.id}`, demo, { ttl: 600, description: 'the city' });
    expect(json(patched)).toMatchObject({ ttl: 600, status: 'PENDING', action: 'UPDATE' });
    expect(json(patched).serial).toBeGreaterThan(zone.serial);
    settle();
  });
});

describe('record sets', () => {
  it('are checked per type, inside their zone, PENDING until pushed, and go with their zone', async () => {
    const zone = json(
      await api('POST', `${DNS}/zones`, demo, { name: 'burgos.example.', email: 'ops@burgos.example' }),
    );
    settle();
    const a = await api('POST', `${DNS}/zones/${zone.id}/recordsets`, demo, {
      name: 'www.burgos.example.',
      type: 'A',
      records: ['127.42.0.10'],
      ttl: 300,
    });
    expect(a.status, a.text).toBe(202);
    expect(json(a)).toMatchObject({ status: 'PENDING', action: 'CREATE', zone_name: 'burgos.example.', ttl: 300 });
    expect(json(await api('GET', `${DNS}/zones/${zone.id}`, demo))).toMatchObject({
      status: 'PENDING',
      action: 'UPDATE',
    });
    settle();
    const shown = json(await api('GET', `${DNS}/zones/${zone.id}/recordsets/${json(a).id}`, demo));
    expect(shown).toMatchObject({ status: 'ACTIVE', action: 'NONE', records: ['127.42.0.10'] });

    const outside = await api('POST', `${DNS}/zones/${zone.id}/recordsets`, demo, {
      name: 'www.other.example.',
      type: 'A',
      records: ['127.0.0.1'],
    });
    expect(json(outside)).toMatchObject({
      code: 400,
      type: 'invalid_recordset_location',
      message: "RecordSet is not contained within it's parent zone",
    });
    const notIp = await api('POST', `${DNS}/zones/${zone.id}/recordsets`, demo, {
      name: 'api.burgos.example.',
      type: 'A',
      records: ['not-an-ip'],
    });
    expect(json(notIp).message).toBe("Provided object does not match schema 'recordset': 'not-an-ip' is not a 'ipv4'");
    const again = await api('POST', `${DNS}/zones/${zone.id}/recordsets`, demo, {
      name: 'www.burgos.example.',
      type: 'A',
      records: ['127.0.0.2'],
    });
    expect(json(again)).toMatchObject({ code: 409, type: 'duplicate_recordset' });
    const cname = await api('POST', `${DNS}/zones/${zone.id}/recordsets`, demo, {
      name: 'www.burgos.example.',
      type: 'CNAME',
      records: ['web.burgos.example.'],
    });
    expect(cname.status).toBe(400);

    const updated = await api('PUT', `${DNS}/zones/${zone.id}/recordsets/${json(a).id}`, demo, {
      records: ['127.42.0.11', '127.42.0.12'],
    });
    expect(json(updated)).toMatchObject({ status: 'PENDING', action: 'UPDATE', version: 2 });
    settle();
    const filtered = json(await api('GET', `${DNS}/recordsets?type=A&name=*.burgos.example.`, demo)).recordsets;
    expect(filtered.map((r: { records: string[] }) => r.records)).toEqual([['127.42.0.11', '127.42.0.12']]);
    const soa = json(await api('GET', `${DNS}/zones/${zone.id}/recordsets?type=SOA`, demo)).recordsets[0];
    expect((await api('DELETE', `${DNS}/zones/${zone.id}/recordsets/${soa.id}`, demo)).status).toBe(400);

    const removed = await api('DELETE', `${DNS}/zones/${zone.id}/recordsets/${json(a).id}`, demo);
    expect(json(removed)).toMatchObject({ status: 'PENDING', action: 'DELETE' });
    settle();
    const gone = await api('GET', `${DNS}/zones/${zone.id}/recordsets/${json(a).id}`, demo);
    expect(gone.status).toBe(404);
    expect(json(gone)).toMatchObject({ type: 'recordset_not_found', message: 'Could not find RecordSet' });

    expect(json(await api('DELETE', `${DNS}/zones/${zone.id}`, demo))).toMatchObject({ action: 'DELETE' });
    settle();
    expect((await api('GET', `${DNS}/zones/${zone.id}`, demo)).status).toBe(404);
    expect(
      json(await api('GET', `${DNS}/recordsets`, demo)).recordsets.map((r: { zone_name: string }) => r.zone_name),
    ).not.toContain('burgos.example.');
  });
});
