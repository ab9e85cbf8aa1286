/**
 * `<data>/hosts`: the sandbox lists every active A record set of Designate with
 * a loopback address, as `<address> <name>`, for a browser's resolver rules;
 * a record pointing outside loopback, and a deleted one, are not there.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HOSTS_FILE } from '../../src/sandbox/hosts-file';
import { call, loginToken, startTestSandbox, type TestSandbox } from './helpers';

let sb: TestSandbox;
let token: string;

beforeAll(async () => {
  sb = await startTestSandbox();
  token = await loginToken(sb, 'demo');
});

afterAll(async () => {
  await sb?.close();
});

const post = async (p: string, body: unknown): Promise<Record<string, string>> => {
  const a = await call(`${sb.url}${p}`, { method: 'POST', token, body: JSON.stringify(body) });
  expect(a.status, a.text).toBe(202);
  return a.json as Record<string, string>;
};

const hosts = (): string => {
  const file = path.join(sb.dataDir, HOSTS_FILE);
  return fs.existsSync(file) ? fs.readFileSync(file, 'utf8') : '';
};

async function eventually(check: () => boolean): Promise<void> {
  const end = Date.now() + 5000;
  while (!check()) {
    if (Date.now() > end) throw new Error(`hosts file is:\n${hosts()}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe('the hosts file', () => {
  it('names each loopback A record, and nothing else', async () => {
    const zone = await post('/dns/v2/zones', { name: 'valladolid.example.', email: 'ops@valladolid.example' });
    const web = await post(`/dns/v2/zones/${zone.id}/recordsets`, {
      name: 'web.valladolid.example.',
      type: 'A',
      records: ['127.42.0.12'],
    });
    await post(`/dns/v2/zones/${zone.id}/recordsets`, {
      name: 'db.valladolid.example.',
      type: 'A',
      records: ['10.0.0.5'],
    });
    await eventually(() => hosts().includes('127.42.0.12 web.valladolid.example\n'));
    expect(hosts()).not.toContain('db.valladolid.example');
    const del = await call(`${sb.url}/dns/v2/zones/${zone.id}/recordsets/${web.id}`, { method: 'DELETE', token });
    expect(del.status).toBe(202);
    // The next Designate request settles the deletion (status delay 0).
    await call(`${sb.url}/dns/v2/zones`, { token });
    await eventually(() => !hosts().includes('web.valladolid.example'));
  });
});
