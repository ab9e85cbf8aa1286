/**
 * The deploy step against storm's real sandbox (its Swift): artifacts and seed
 * objects are uploaded once, read anonymously by URL, unchanged on a re-run,
 * picked up by cloud-init's release updater with conditional GETs, and the
 * health wait sees the service run from the downloaded artifact.
 */
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { parse } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { unpackArtifact } from '../../src/deploy/artifact';
import { renderCloudInit } from '../../src/deploy/cloud-init';
import {
  artifactObjectName,
  artifactUrl,
  deployServices,
  publishServices,
  releaseContainer,
} from '../../src/deploy/deploy-services';
import { releasePointer, releasePointerName, signReleasePointer } from '../../src/deploy/release';
import { runDeployStep } from '../../src/deploy/deploy-step';
import { sandboxCredentials } from '../../src/cloud/sandbox-target';
import { type ObjectStore, swiftObjectStore } from '../../src/deploy/object-store';
import { httpFetch } from '../../src/http-fetch';
import { loadCity } from '../../src/manifest/load';
import { resolveEnvironment } from '../../src/manifest/model';
import { loadTemplateCatalog, resolveServiceParameters } from '../../src/manifest/templates';
import { silentProgress } from '../../src/progress';
import { ensureSandbox, stopSandbox } from '../../src/sandbox/control';
import { cloudName } from '../../src/synth/naming';
import { buildTemplate, repoRoot } from '../templates/app-process';
import { testReleaseKey } from '../support/release-key';
import { installUpdater } from '../support/release-updater';

const work = fs.mkdtempSync(path.join(os.tmpdir(), 'storm-deploy-'));
const city = resolveEnvironment(loadCity('valladolid', { cwd: repoRoot }).doc, 'preprod');
const service = city.services[0]!;

let token = '';
const adminHeaders = (): Record<string, string> => ({ 'X-Auth-Token': token });

async function sandboxStore(): Promise<ObjectStore> {
  const info = await ensureSandbox({ cwd: work, progress: silentProgress });
  const res = await fetch(`${info.authUrl}/auth/tokens`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({
      auth: {
        identity: {
          methods: ['password'],
          password: { user: { name: 'admin', domain: { name: 'Default' }, password: info.logins.admin } },
        },
        scope: { project: { name: 'admin', domain: { name: 'Default' } } },
      },
    }),
  });
  token = res.headers.get('x-subject-token')!;
  const catalog = (
    (await res.json()) as { token: { catalog: { type: string; endpoints: { interface: string; url: string }[] }[] } }
  ).token.catalog;
  const endpoint = catalog.find((s) => s.type === 'object-store')!.endpoints.find((e) => e.interface === 'public')!.url;
  return swiftObjectStore(endpoint, () => ({ 'X-Auth-Token': token }), httpFetch);
}

describe('deploying services to the sandbox', () => {
  let store: ObjectStore;
  const stops: (() => void)[] = [];

  beforeAll(async () => {
    buildTemplate('urbanismo-en-red');
    store = await sandboxStore();
    // The city's containers exist once the stack is applied; here we make the one the template seeds.
    await store.ensureContainer(cloudName(city.city.name, city.env, 'plan-documents'), { publicRead: true });
  });
  afterAll(async () => {
    for (const stop of stops) stop();
    await stopSandbox({ cwd: work, progress: silentProgress });
  });

  it('uploads the artifact and seed documents once, readable anonymously by URL', async () => {
    const templates = loadTemplateCatalog(repoRoot).templates;
    const [first] = await publishServices(city, templates, store, silentProgress);
    expect(first).toMatchObject({
      service: 'urbanismo-en-red',
      artifact: { uploaded: true },
      seedObjects: { uploaded: 7, unchanged: 0 },
    });
    const artifact = await fetch(first!.artifact.url);
    expect(artifact.status).toBe(200);
    const bytes = Buffer.from(await artifact.arrayBuffer());
    expect(unpackArtifact(bytes, path.join(work, 'anon'))).toContain('template.yaml');
    const doc = await fetch(
      `${store.containerUrl(cloudName(city.city.name, city.env, 'plan-documents'))}/ped-rio-norte-memoria.pdf`,
    );
    expect(doc.status).toBe(200);
    expect(doc.headers.get('content-type')).toBe('application/pdf');

    const [again] = await publishServices(city, templates, store, silentProgress);
    expect(again).toMatchObject({ artifact: { uploaded: false }, seedObjects: { uploaded: 0, unchanged: 7 } });
    expect(
      await store.objectEtag(releaseContainer('valladolid', 'preprod'), artifactObjectName('urbanismo-en-red')),
    ).toMatch(/^[0-9a-f]{32}$/);
  });

  it('keeps each city and environment in a container of its own, and clears a write ACL someone set on it', async () => {
    const container = releaseContainer('valladolid', 'preprod');
    expect(container).toBe('storm-releases-valladolid-preprod');
    const acl = await fetch(store.containerUrl(container), {
      method: 'POST',
      headers: { ...adminHeaders(), 'X-Container-Write': '*:*' },
    });
    expect(acl.status).toBe(204);
    await publishServices(city, loadTemplateCatalog(repoRoot).templates, store, silentProgress);
    const head = await fetch(store.containerUrl(container), { method: 'HEAD', headers: adminHeaders() });
    expect(head.headers.get('x-container-write')).toBeNull();
    expect(head.headers.get('x-container-read')).toBe('.r:*,.rlistings');
  });

  it("installs the artifact with cloud-init's updater, which then asks only whether it changed", async () => {
    const templates = loadTemplateCatalog(repoRoot).templates;
    const template = templates.find((t) => t.definition.name === service.template)!;
    const url = artifactUrl(store.endpoint, 'valladolid', 'preprod', service.name);
    const key = testReleaseKey();
    const [published] = await publishServices(city, templates, store, silentProgress);
    const pointer = releasePointer({
      city,
      service,
      template,
      version: published!.version,
      sha256: published!.artifact.sha256,
      bytes: 0,
    });
    await store.putObject(
      releaseContainer('valladolid', 'preprod'),
      releasePointerName(service.name),
      Buffer.from(signReleasePointer(pointer, key.privateKey)),
      'application/json',
    );
    const userData = renderCloudInit({
      city: { name: 'valladolid', displayName: 'Valladolid', languages: ['es', 'en'] },
      environment: 'preprod',
      service: { name: service.name, parameters: resolveServiceParameters(template, service.parameters) },
      template: template.definition,
      tier: 'web',
      instance: { name: 'valladolid-preprod-web-1' },
      artifactUrl: url,
      releaseKey: key.publicKeyPem,
      containerUrls: {},
    });
    const updater = installUpdater(
      (parse(userData) as { write_files: { path: string; content: string }[] }).write_files,
      work,
      service.name,
    );
    const first = await updater.run();
    expect(first.status, first.stderr).toBe(0);
    const current = path.join(updater.root, 'current');
    const release = fs.realpathSync(current);
    expect(fs.existsSync(path.join(current, template.definition.runtime.entry))).toBe(true);
    expect((await updater.run()).status).toBe(0);
    expect(fs.realpathSync(current)).toBe(release);
  });

  it('waits for the service run from that artifact to report the version it ships', async () => {
    const root = path.join(work, 'opt', service.name, 'current');
    const child = spawn(process.execPath, [path.join(root, 'dist/urbanismo-en-red/app/main.js')], {
      env: { ...process.env, PORT: '0', HOST: '127.0.0.1', STORM_DATA_DIR: path.join(work, 'data') },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    stops.push(() => child.kill('SIGTERM'));
    const url = await new Promise<string>((resolve) =>
      child.stdout.on('data', (c: Buffer) => {
        const m = /listening on (http:\/\/[\d.]+:\d+)/.exec(c.toString());
        if (m?.[1] !== undefined) resolve(m[1]);
      }),
    );
    const result = await deployServices(
      city,
      loadTemplateCatalog(repoRoot).templates,
      store,
      { [service.name]: { group: 'web', health_check: '/healthz', urls: [url] } },
      { timeoutMs: 10_000, intervalMs: 300, progress: silentProgress },
    );
    expect(result.published[0]!.artifact.uploaded).toBe(false);
    expect(result.health.map((h) => [h.target.instance, h.outcome.kind])).toEqual([['web-1', 'healthy']]);
    await expect(
      deployServices(
        city,
        loadTemplateCatalog(repoRoot).templates,
        store,
        { [service.name]: { group: 'web', health_check: '/healthz', urls: ['http://127.0.0.1:9'] } },
        { timeoutMs: 600, intervalMs: 200, progress: silentProgress },
      ),
    ).rejects.toThrow(/urbanismo-en-red on web-1 \(http:\/\/127\.0\.0\.1:9\/healthz\): unreachable/);

    // As the lifecycle calls it after apply: nothing changed, so it says so and lists where the service answers.
    const report = await runDeployStep(
      {
        cwd: repoRoot,
        city,
        credentials: sandboxCredentials('http://127.0.0.1:1', 'http://127.0.0.1:1/identity/v3', 'unused'),
        outputs: { services: { [service.name]: { group: 'web', health_check: '/healthz', urls: [url] } } },
        progress: silentProgress,
      },
      store,
      { timeoutMs: 5000 },
    );
    expect(report.status).toBe('nothing-to-deploy');
    expect(report.message).toContain('nothing to deploy: every service is current');
    const version = loadTemplateCatalog(repoRoot).templates.find((t) => t.definition.name === 'urbanismo-en-red')!
      .definition.version;
    expect(report.message).toContain(`urbanismo-en-red ${version} unchanged, healthy on 1 instance: ${url}`);
    expect(report.services).toEqual([{ name: 'urbanismo-en-red', url, healthy: true }]);
  });
});
