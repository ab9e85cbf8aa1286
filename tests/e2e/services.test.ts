/**
 * Issue 7's acceptance on a private sandbox: provision deploys the pilot
 * services and prints their URLs, the sandbox runs them at their floating IPs,
 * a re-deploy changes nothing, a version bump rolls out without replacing the
 * instance, any city runs any template, the pilots' browser journeys pass
 * against the deployed services, and `storm sandbox down` stops them all.
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import Ajv2020 from 'ajv/dist/2020';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROOT, type RunningSandbox, SandboxReader, makeProject, startProjectSandbox } from './lifecycle-support';
import { cleanEnv, stormAsync } from '../support/storm';

let project: string;
let sandbox: RunningSandbox | undefined;
let env: NodeJS.ProcessEnv;
const urls: Record<string, string> = {};

interface OutputDoc {
  result: { stacks: Array<{ outputs: Record<string, unknown> }> };
}

async function outputs(city: string): Promise<Record<string, unknown>> {
  const r = await stormAsync(['--json', 'output', city], { project, env });
  expect(r.code, r.stderr).toBe(0);
  const doc = JSON.parse(r.stdout) as OutputDoc;
  return doc.result.stacks[0]?.outputs ?? {};
}

function instanceIds(o: Record<string, unknown>): string[] {
  return Object.values(o.instances as Record<string, { id: string }>)
    .map((i) => i.id)
    .sort();
}

/** The service's /healthz, checked to be this project's: the data directory it reports is one of this sandbox's volumes. */
async function health(url: string): Promise<{ status: number; version: unknown }> {
  const res = await fetch(`${url}/healthz`);
  const body = (await res.json()) as { version?: unknown; checks?: { storage?: { dataDir?: string } } };
  expect(body.checks?.storage?.dataDir ?? '').toContain(path.join(project, '.storm', 'sandbox', 'volumes'));
  return { status: res.status, version: body.version };
}

/** Processes running one of this project's service releases. */
function serviceProcesses(): string[] {
  const marker = path.join(project, '.storm', 'sandbox', 'instances');
  return fs.readdirSync('/proc').filter((pid) => {
    if (!/^\d+$/.test(pid)) return false;
    try {
      return fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes(marker);
    } catch {
      return false;
    }
  });
}

beforeAll(() => {
  project = makeProject('services');
  sandbox = startProjectSandbox(project);
  env = cleanEnv();
}, 120_000);

afterAll(() => {
  sandbox?.stop();
  if (project !== undefined) fs.rmSync(project, { recursive: true, force: true });
});

describe('pilot services on the sandbox', () => {
  it('provision valladolid ends with the urbanismo-en-red URL, which is healthy and lists the seeded plans', async () => {
    const r = await stormAsync(['provision', 'valladolid', '--yes'], { project, env });
    expect(r.code, r.stderr).toBe(0);
    const m = /"urbanismo-en-red":\{[^}]*"urls":\["(http:\/\/127\.\d+\.\d+\.\d+:8080)"\]/.exec(r.stdout);
    expect(m, r.stdout).not.toBeNull();
    const url = (m as RegExpExecArray)[1] as string;
    urls['urbanismo-en-red'] = url;
    expect(r.stderr).toContain(`deployed urbanismo-en-red 1.0.0 at ${url}`);
    expect(await health(url)).toEqual({ status: 200, version: '1.0.0' });
    const list = await (await fetch(`${url}/?lang=es`)).text();
    const seeded = (
      JSON.parse(fs.readFileSync(path.join(ROOT, 'templates', 'urbanismo-en-red', 'seed', 'plans.json'), 'utf8')) as {
        plans: Array<{ title: string }>;
      }
    ).plans;
    const shown = seeded.filter((p) => list.includes(p.title));
    expect(shown.length).toBeGreaterThanOrEqual(Math.min(3, seeded.length));
    // The sandbox ran it from the artifact, on the instance's volume, and logged it.
    const log = fs.readFileSync(path.join(project, '.storm', 'sandbox', 'requests.log'), 'utf8');
    expect(log).toMatch(/"service":"runner","method":"FETCH".*sha256 [0-9a-f]{12} verified/);
    expect(log).toMatch(
      /"service":"runner","method":"START".*urbanismo-en-red 1\.0\.0 on http:\/\/127\.\d+\.\d+\.\d+:8080/,
    );
  }, 300_000);

  it('deploy right after changes nothing; a version bump rolls out without replacing the instance', async () => {
    const again = await stormAsync(['deploy', 'valladolid'], { project, env });
    expect(again.code, again.stderr).toBe(0);
    expect(again.stdout).toContain('nothing changed');
    expect(again.stdout).toContain('unchanged');
    const json = await stormAsync(['--json', 'deploy', 'valladolid'], { project, env });
    expect(json.code, json.stderr).toBe(0);
    const schema = JSON.parse(
      fs.readFileSync(path.join(ROOT, 'src', 'report', 'json-schemas', 'deploy.v1.schema.json'), 'utf8'),
    ) as object;
    const validate = new Ajv2020({ allErrors: true, strict: false }).compile(schema);
    const doc = JSON.parse(json.stdout) as {
      result: { stacks: Array<{ deploy: { status: string; services: Array<{ action: string; url: string }> } }> };
    };
    expect(validate(doc), JSON.stringify(validate.errors)).toBe(true);
    expect(doc.result.stacks[0]?.deploy.status).toBe('nothing-to-deploy');
    expect(doc.result.stacks[0]?.deploy.services[0]).toMatchObject({
      action: 'unchanged',
      url: urls['urbanismo-en-red'],
    });

    const before = instanceIds(await outputs('valladolid'));
    const volumes = path.join(project, '.storm', 'sandbox', 'volumes');
    const tokenBefore = fs
      .readdirSync(volumes)
      .map((v) => fs.readFileSync(path.join(volumes, v, 'admin-token'), 'utf8'));
    const meta = path.join(project, 'templates', 'urbanismo-en-red', 'template.yaml');
    fs.writeFileSync(meta, fs.readFileSync(meta, 'utf8').replace(/^version: 1\.0\.0$/m, 'version: 1.1.0'));

    const bumped = await stormAsync(['deploy', 'valladolid'], { project, env });
    expect(bumped.code, bumped.stderr).toBe(0);
    expect(bumped.stdout).toContain('published (was 1.0.0)');
    expect(await health(urls['urbanismo-en-red'] as string)).toEqual({ status: 200, version: '1.1.0' });

    const plan = await stormAsync(['plan', 'valladolid', '--detailed-exitcode'], { project, env });
    expect(plan.code, plan.stdout + plan.stderr).toBe(0);
    expect(instanceIds(await outputs('valladolid'))).toEqual(before);
    // Same volume, same data: the service's own admin token survived the upgrade.
    expect(fs.readdirSync(volumes).map((v) => fs.readFileSync(path.join(volumes, v, 'admin-token'), 'utf8'))).toEqual(
      tokenBefore,
    );
  }, 300_000);

  it('any city runs any template: thessaloniki with participa added runs both services', async () => {
    const file = path.join(project, 'stacks', 'thessaloniki.yaml');
    const text = fs.readFileSync(file, 'utf8');
    const withIdeas = text
      // The ideas' volume holds personal data: the city declares it encrypted, as policy requires.
      .replace(
        /^storage:\n {2}volumes:\n/m,
        '    - name: ideas\n      flavor: m1.small\n      image: ubuntu-24.04\n      count: 1\n      subnet: web\n      securityGroups: [web]\n      floatingIp: true\n      personalData: true\nstorage:\n  volumes:\n    - name: participa-data\n      size: 5\n      type: encrypted\n      personalData: true\n',
      )
      .replace(/^state:\n/m, '  - template: participa\n    on: ideas\n    personalData: true\nstate:\n');
    expect(withIdeas).not.toBe(text);
    fs.writeFileSync(file, withIdeas);
    const r = await stormAsync(['provision', 'thessaloniki', '--yes'], { project, env });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(
      /deployed virtual-city-marketplace 1\.0\.0 at http:\/\/127\.\d+\.\d+\.\d+:8080, participa 1\.0\.0 at http:\/\/127\.\d+\.\d+\.\d+:8080/,
    );
    const services = (await outputs('thessaloniki')).services as Record<string, { urls: string[] }>;
    expect(Object.keys(services).sort()).toEqual(['participa', 'virtual-city-marketplace']);
    for (const s of Object.values(services)) expect((await health(s.urls[0] as string)).status).toBe(200);
    urls['virtual-city-marketplace'] = services['virtual-city-marketplace']?.urls[0] as string;
  }, 300_000);

  it('the pilots browser journeys pass against the deployed services', async () => {
    // Águeda's participa: its journey is written in Portuguese.
    const r = await stormAsync(['provision', 'agueda', '--yes'], { project, env });
    expect(r.code, r.stderr).toBe(0);
    urls.participa = ((await outputs('agueda')).services as Record<string, { urls: string[] }>).participa
      ?.urls[0] as string;
    const run = spawnSync(
      process.execPath,
      [
        path.join(ROOT, 'node_modules', 'vitest', 'vitest.mjs'),
        'run',
        'tests/templates/urbanismo-en-red.browser.test.ts',
        'tests/templates/virtual-city-marketplace.browser.test.ts',
        'tests/templates/participa.browser.test.ts',
      ],
      {
        cwd: ROOT,
        encoding: 'utf8',
        env: {
          ...process.env,
          STORM_TEST_URL_URBANISMO_EN_RED: urls['urbanismo-en-red'],
          STORM_TEST_URL_VIRTUAL_CITY_MARKETPLACE: urls['virtual-city-marketplace'],
          STORM_TEST_URL_PARTICIPA: urls.participa,
        },
      },
    );
    expect(run.status, `${run.stdout}\n${run.stderr}`).toBe(0);
    for (const shot of ['urbanismo-en-red-plan.png'])
      expect(fs.existsSync(path.join(ROOT, 'test-results', 'templates', shot))).toBe(true);
  }, 600_000);

  it('a crashed service is restarted; stopping an instance stops it, starting runs it again, destroying the city ends it', async () => {
    const reader = new SandboxReader(sandbox as RunningSandbox);
    await reader.login();
    const out = await outputs('agueda');
    const server = Object.values(out.instances as Record<string, { id: string; floating_ip?: string }>).find(
      (i) => i.floating_ip !== undefined,
    ) as { id: string };
    const url = urls.participa as string;
    const answers = async (): Promise<boolean> =>
      fetch(`${url}/healthz`, { signal: AbortSignal.timeout(1000) }).then(
        () => true,
        () => false,
      );

    // A service that dies is restarted by the sandbox, like systemd's Restart=always on a VM.
    const pidFile = path.join(project, '.storm', 'sandbox', 'instances', server.id, 'service.pid');
    const crashed = Number(fs.readFileSync(pidFile, 'utf8').split(' ')[0]);
    process.kill(crashed, 'SIGKILL');
    await expect
      .poll(() => fs.readFileSync(pidFile, 'utf8').split(' ')[0], { timeout: 15_000, interval: 250 })
      .not.toBe(String(crashed));
    await expect.poll(answers, { timeout: 15_000, interval: 250 }).toBe(true);
    expect(fs.readFileSync(path.join(project, '.storm', 'sandbox', 'requests.log'), 'utf8')).toMatch(
      new RegExp(`"method":"EXIT","path":"/servers/${server.id}".*participa exited \\(SIGKILL\\); restarting`),
    );

    expect((await reader.request('POST', 'compute', `/servers/${server.id}/action`, { 'os-stop': null })).status).toBe(
      202,
    );
    await expect.poll(answers, { timeout: 15_000, interval: 250 }).toBe(false);
    expect((await reader.request('POST', 'compute', `/servers/${server.id}/action`, { 'os-start': null })).status).toBe(
      202,
    );
    await expect.poll(answers, { timeout: 15_000, interval: 250 }).toBe(true);
    expect(await health(url)).toEqual({ status: 200, version: '1.0.0' });

    const destroy = await stormAsync(['destroy', 'agueda', '--yes'], { project, env });
    expect(destroy.code, destroy.stderr).toBe(0);
    expect(await answers()).toBe(false);
    const log = fs.readFileSync(path.join(project, '.storm', 'sandbox', 'requests.log'), 'utf8');
    expect(log).toMatch(
      new RegExp(`"method":"STOP","path":"/servers/${server.id}".*participa 1\\.0\\.0 stopped: the server was stopped`),
    );
  }, 180_000);

  it('storm init miskolc --from valladolid validates at once', async () => {
    const init = await stormAsync(['init', 'miskolc', '--from', 'valladolid'], { project, env });
    expect(init.code, init.stderr).toBe(0);
    const validate = await stormAsync(['validate', 'miskolc'], { project, env });
    expect(validate.code, validate.stdout + validate.stderr).toBe(0);
  }, 120_000);

  it('a failed health check names the service, the instance and what /healthz said, and exits 1', async () => {
    const meta = path.join(project, 'templates', 'urbanismo-en-red', 'template.yaml');
    fs.writeFileSync(meta, fs.readFileSync(meta, 'utf8').replace(/^version: 1\.1\.0$/m, 'version: 1.2.0'));
    // A release whose service answers its health check with a failing storage check.
    fs.writeFileSync(
      path.join(project, 'templates', 'urbanismo-en-red', 'dist', 'urbanismo-en-red', 'app', 'main.js'),
      `require('node:http').createServer((q, s) => { s.writeHead(503, { 'content-type': 'application/json' }); s.end(JSON.stringify({ status: 'fail', version: '1.2.0', checks: { storage: { status: 'fail', error: 'volume is read-only' } } })); }).listen(Number(process.env.PORT), process.env.HOST);\n`,
    );
    const r = await stormAsync(['deploy', 'valladolid', '--health-timeout', '6'], { project, env });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(
      /urbanismo-en-red on valladolid-preprod-web-1 \(http:\/\/127\.\d+\.\d+\.\d+:8080\/healthz\): HTTP 503 — storage: volume is read-only/,
    );
    expect(r.stderr).not.toMatch(/\n\s+at /);
  }, 120_000);

  it('storm sandbox down stops every service process', async () => {
    expect(serviceProcesses().length).toBe(3);
    const down = await stormAsync(['sandbox', 'down'], { project, env });
    expect(down.code, down.stderr).toBe(0);
    sandbox = undefined;
    expect(serviceProcesses()).toEqual([]);
  }, 120_000);
});
