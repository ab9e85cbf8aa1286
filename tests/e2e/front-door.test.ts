/**
 * The front door end to end (issue 14): agueda in production applies against the sandbox with one HTTPS URL for
 * its service — an Octavia load balancer over two instances, the certificate storm issued from the city CA held in
 * Barbican, a Designate name — deploys through it, plans no changes, opens in headless Chromium with the city's
 * certificate trusted and the name resolved to the load balancer's address, redirects HTTP to HTTPS, and keeps
 * answering when one instance is stopped.
 */
import { createHash, createPublicKey } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { chromium } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { httpFetch } from '../../src/http-fetch';
import { CHROMIUM } from '../templates/browser';
import { makeProject, type RunningSandbox, SandboxReader, startProjectSandbox } from './lifecycle-support';
import { cleanEnv, jsonResult, stormAsync } from '../support/storm';

interface ServiceOutput {
  url: string;
  address: string;
  load_balancer_id: string;
}

describe('agueda production behind its front door', { timeout: 900_000 }, () => {
  let project: string;
  let sandbox: RunningSandbox | undefined;
  let service: ServiceOutput;
  let instances: Record<string, { id: string }>;
  let name: string;
  let ca: string;
  const env = cleanEnv();
  const storm = (...args: string[]) => stormAsync(args, { project, env });
  /** GET through the load balancer's address, asking for the service's name, trusting the city CA only. */
  const viaName = (p: string) =>
    httpFetch(`https://${service.address}${p}`, {
      headers: { Host: name },
      tls: { ca, servername: name },
      signal: AbortSignal.timeout(10_000),
    });

  beforeAll(async () => {
    project = makeProject('front-door');
    sandbox = startProjectSandbox(project);
    const p = await storm('provision', 'agueda', '--env', 'production', '--yes');
    expect(p.code, p.stdout + p.stderr).toBe(0);
    expect(p.stdout + p.stderr).toMatch(/deployed participa 1\.0\.0 at https:\/\/participa\.agueda\.example\//);
    const out = jsonResult(await storm('output', 'agueda', '--env', 'production', '--json')) as {
      stacks: { outputs: { services: Record<string, ServiceOutput>; instances: Record<string, { id: string }> } }[];
    };
    const outputs = out.stacks[0]?.outputs;
    service = outputs?.services.participa as ServiceOutput;
    instances = outputs?.instances ?? {};
    name = new URL(service.url).hostname;
    ca = fs.readFileSync(path.join(project, '.storm', 'ca', 'agueda', 'ca.pem'), 'utf8');
  });
  afterAll(() => {
    sandbox?.stop();
    if (project) fs.rmSync(project, { recursive: true, force: true });
  });

  it('has one HTTPS URL, a name in the sandbox hosts file, and plans no changes after apply', async () => {
    expect(service.url).toBe('https://participa.agueda.example/');
    expect(service.address).toMatch(/^127\./);
    const hosts = fs.readFileSync(path.join(project, '.storm', 'sandbox', 'hosts'), 'utf8');
    expect(hosts).toContain(`${service.address} ${name}`);
    const plan = await storm('plan', 'agueda', '--env', 'production', '--detailed-exitcode');
    expect(plan.code, plan.stdout + plan.stderr).toBe(0);
    const health = await viaName('/healthz');
    expect(health.status).toBe(200);
    expect(((await health.json()) as { version: string }).version).toBe('1.0.0');
    const plain = await httpFetch(`http://${service.address}/consultas`, { headers: { Host: name } });
    expect(plain.status).toBe(301);
    expect(plain.headers.get('location')).toBe(`https://${name}/consultas`);
  });

  it('opens in headless Chromium with the city certificate trusted and the name resolved', async () => {
    const leaf = fs.readFileSync(path.join(project, '.storm', 'ca', 'agueda', 'production', 'participa.pem'), 'utf8');
    const spki = createHash('sha256')
      .update(createPublicKey(leaf).export({ type: 'spki', format: 'der' }))
      .digest('base64');
    const browser = await chromium.launch({
      executablePath: CHROMIUM,
      headless: true,
      args: [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        `--host-resolver-rules=MAP ${name} ${service.address}, EXCLUDE localhost`,
        `--ignore-certificate-errors-spki-list=${spki}`,
      ],
    });
    try {
      const page = await browser.newPage();
      const res = await page.goto(service.url, { waitUntil: 'load' });
      expect(res?.status()).toBe(200);
      expect(page.url().startsWith(service.url)).toBe(true);
      expect(await page.locator('h1').count()).toBeGreaterThan(0);
    } finally {
      await browser.close();
    }
  });

  it('keeps answering when one instance is stopped', async () => {
    const reader = new SandboxReader(sandbox as RunningSandbox);
    await reader.login();
    const first = instances['app-1']?.id ?? '';
    const stop = await reader.request('POST', 'compute', `/servers/${first}/action`, { 'os-stop': null });
    expect(stop.status).toBe(202);
    const deadline = Date.now() + 60_000;
    for (;;) {
      const s = (await reader.get('compute', `/servers/${first}`)) as { server: { status: string } };
      if (s.server.status === 'SHUTOFF' || Date.now() > deadline) break;
      await new Promise((r) => setTimeout(r, 500));
    }
    const statuses: number[] = [];
    for (let i = 0; i < 10; i += 1) statuses.push((await viaName('/healthz')).status);
    expect(statuses).toEqual(Array(10).fill(200));
    const destroy = await storm('destroy', 'agueda', '--env', 'production', '--yes', '--confirm', 'agueda');
    expect(destroy.code, destroy.stderr).toBe(0);
  });
});
