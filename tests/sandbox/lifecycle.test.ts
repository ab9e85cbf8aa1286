/**
 * e2e: `storm sandbox up --detach / status / logs / down / reset` through
 * bin/storm, persistence across restarts, and the standard `openstack` client
 * (Debian python3-openstackclient) against the running sandbox.
 */
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { call, issueToken, loginsOf } from './helpers';
import { processAlive } from '../../src/process-alive';
import { STORM_BIN, jsonResult, storm as run, type StormResult } from '../support/storm';

const project = fs.mkdtempSync(path.join(os.tmpdir(), 'storm-sbx-life-'));
const dataDir = path.join(project, '.storm', 'sandbox');

/** storm --json on the project, without the machine's sandbox fault settings. */
function storm(...args: string[]): StormResult & { json: { result: Record<string, unknown> } } {
  const env = { ...process.env };
  delete env.STORM_SANDBOX_FAULTS;
  const r = run(['--json', ...args], { project, env, timeout: 60_000 });
  return { ...r, json: { result: jsonResult(r) } };
}

let url = '';
let pid = 0;

beforeAll(() => {
  const up = storm('sandbox', 'up', '--detach', '--port', '0', '--delay-ms', '0');
  expect(up.code, up.stderr).toBe(0);
  url = up.json.result.url as string;
  pid = up.json.result.pid as number;
});

afterAll(() => {
  storm('sandbox', 'down');
  fs.rmSync(project, { recursive: true, force: true });
});

describe('storm sandbox', () => {
  it('up --detach prints the auth URL, a clouds.yaml entry and OS_* settings', () => {
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    const text = run(['sandbox', 'up', '--detach'], { project });
    expect(text.code).toBe(0);
    expect(text.stdout).toContain(`auth URL: ${url}/identity/v3`);
    expect(text.stdout).toContain('clouds:\n  sandbox:');
    expect(text.stdout).toContain(`export OS_AUTH_URL=${url}/identity/v3`);
    expect(text.stdout).toContain('already running');
    // The data directory's own random passwords, printed for the user and kept 0600 in a 0700 directory.
    const logins = loginsOf(dataDir);
    expect(logins.admin).not.toBe('admin');
    expect(text.stdout).toContain(`      password: ${logins.admin}\n`);
    expect(text.stdout).toContain(`export OS_PASSWORD=${logins.admin}\n`);
    expect(text.stdout).toContain(`user demo, password ${logins.demo}`);
    expect(fs.statSync(path.join(dataDir, 'logins.json')).mode & 0o777).toBe(0o600);
    expect(fs.statSync(dataDir).mode & 0o777).toBe(0o700);
  });

  it('status reports pid, url and seeded resources', () => {
    const s = storm('sandbox', 'status');
    expect(s.code).toBe(0);
    expect(s.json.result).toMatchObject({ running: true, pid, url });
    const counts = s.json.result.counts as Record<string, number>;
    expect(counts['image.image']).toBe(3);
    expect(counts['network.network']).toBe(1);
  });

  it('the openstack client lists and shows what the sandbox holds', () => {
    const clouds = path.join(project, 'clouds.yaml');
    const up = storm('sandbox', 'up', '--detach');
    fs.writeFileSync(clouds, up.json.result.cloudsYamlEntry as string);
    const env: NodeJS.ProcessEnv = {
      PATH: process.env.PATH,
      HOME: project,
      OS_CLIENT_CONFIG_FILE: clouds,
      OS_CLOUD: 'sandbox',
    };
    const os = (...args: string[]): unknown =>
      JSON.parse(execFileSync('openstack', [...args, '-f', 'json'], { env, encoding: 'utf8', timeout: 60_000 }));
    const token = os('token', 'issue') as { project_id: string; expires: string };
    expect(token.project_id).toMatch(/^[0-9a-f]{32}$/);
    expect((os('image', 'list') as { Name: string }[]).map((i) => i.Name).sort()).toEqual([
      'cirros-0.6',
      'debian-12',
      'ubuntu-24.04',
    ]);
    expect((os('image', 'show', 'debian-12') as { status: string; disk_format: string }).status).toBe('active');
    expect((os('network', 'list') as { Name: string }[]).map((n) => n.Name)).toContain('public');
    execFileSync('openstack', ['container', 'create', 'from-cli'], { env, encoding: 'utf8' });
    expect((os('container', 'list') as { Name: string }[]).map((c) => c.Name)).toEqual(['from-cli']);
    expect((os('project', 'list') as { Name: string }[]).map((p) => p.Name)).toEqual(['admin', 'service', 'demo']);
    expect((os('catalog', 'list') as { Type: string }[]).map((c) => c.Type)).toEqual(
      expect.arrayContaining(['identity', 'compute', 'network', 'volumev3', 'image', 'object-store']),
    );
  }, 180_000);

  it('keeps state across down/up, leaves no process behind, and reset restores the seed', async () => {
    const { token } = await issueToken(url, 'demo', loginsOf(dataDir).demo);
    const { body } = await issueToken(url, 'demo', loginsOf(dataDir).demo);
    const account = `${url}/object-store/v1/AUTH_${body.token.project.id}`;
    expect((await call(`${account}/keep`, { method: 'PUT', token })).status).toBe(201);
    expect((await call(`${account}/keep/x.txt`, { method: 'PUT', token, body: 'persisted' })).status).toBe(201);

    const down = storm('sandbox', 'down');
    expect(down.json.result).toMatchObject({ stopped: true, pid });
    expect(processAlive(pid)).toBe(false);
    expect(storm('sandbox', 'status').json.result.running).toBe(false);

    const again = storm('sandbox', 'up', '--detach', '--port', '0', '--delay-ms', '0');
    expect(again.code, again.stderr).toBe(0);
    url = again.json.result.url as string;
    pid = again.json.result.pid as number;
    const after = await issueToken(url, 'demo', loginsOf(dataDir).demo);
    const account2 = `${url}/object-store/v1/AUTH_${after.body.token.project.id}`;
    expect(after.body.token.project.id).toBe(body.token.project.id);
    expect((await call(`${account2}/keep/x.txt`, { token: after.token })).text).toBe('persisted');
    // Tokens survive a restart too (they are in SQLite).
    expect((await call(`${account2}/keep/x.txt`, { token })).status).toBe(200);

    const reset = storm('sandbox', 'reset');
    expect(reset.code, reset.stderr).toBe(0);
    expect(reset.json.result.restarted).toBe(true);
    url = reset.json.result.url as string;
    pid = (storm('sandbox', 'status').json.result.pid as number) ?? 0;
    const fresh = await issueToken(url, 'demo', loginsOf(dataDir).demo);
    expect(fresh.body.token.project.id).not.toBe(body.token.project.id);
    const list = await call(`${url}/object-store/v1/AUTH_${fresh.body.token.project.id}?format=json`, {
      token: fresh.token,
    });
    expect(list.json).toEqual([]);
    const images = await call(`${url}/image/v2/images`, { token: fresh.token });
    expect((images.json as { images: unknown[] }).images).toHaveLength(3);
  }, 120_000);

  it('logs show method, status, latency and request id', () => {
    const r = run(['sandbox', 'logs', '--tail', '3'], { project });
    expect(r.code).toBe(0);
    const lines = r.stdout.trim().split('\n');
    expect(lines).toHaveLength(3);
    for (const l of lines)
      expect(l).toMatch(/^\S+Z\s+(GET|POST|PUT|HEAD|DELETE)\s+\d{3}\s+[\d.]+ms\s+(req-|tx)\S+\s+\//);
  });
});

describe('concurrent starts', () => {
  it('share one sandbox process instead of racing for the data', async () => {
    const other = fs.mkdtempSync(path.join(os.tmpdir(), 'storm-sbx-race-'));
    const { spawn } = await import('node:child_process');
    const start = (): Promise<{ pid: number; alreadyRunning: boolean }> =>
      new Promise((resolve, reject) => {
        const child = spawn(
          process.execPath,
          [STORM_BIN, '--cwd', other, '--json', 'sandbox', 'up', '--detach', '--port', '0'],
          { stdio: ['ignore', 'pipe', 'ignore'] },
        );
        let out = '';
        child.stdout.on('data', (c: Buffer) => (out += c.toString('utf8')));
        child.on('exit', () => {
          try {
            resolve((JSON.parse(out) as { result: { pid: number; alreadyRunning: boolean } }).result);
          } catch (e) {
            reject(e instanceof Error ? e : new Error(String(e)));
          }
        });
      });
    try {
      const results = await Promise.all([start(), start(), start()]);
      expect(new Set(results.map((r) => r.pid)).size).toBe(1);
      expect(results.filter((r) => !r.alreadyRunning)).toHaveLength(1);
    } finally {
      run(['sandbox', 'down'], { project: other });
      fs.rmSync(other, { recursive: true, force: true });
    }
  }, 120_000);
});
