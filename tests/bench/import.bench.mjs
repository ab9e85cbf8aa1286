// Issue 13's figure: `storm import` (bin/storm, as a user runs it) of a project of more than
// 500 resources against a freshly started sandbox, in under 30 s. The project is seeded
// straight through the sandbox's APIs (at most 8 requests in flight): a network of two
// subnets behind a router, ten security groups with rules (one group-to-group), a key pair,
// 80 web servers with floating IPs, 40 database servers with a volume each, and containers.
/* global fetch */
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { setTimeout } from 'node:timers';

const WEB = 80;
const DB = 40;
const EXTRA_GROUPS = 8;
const CONTAINERS = 10;
const KEY = 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIDEaEL6TgJUZ5tpf3CMZWIrTq4R9OKnIL4o9Qy4Kg/ze bench@import';

export async function run({ root }) {
  const require = createRequire(import.meta.url);
  const control = require(join(root, 'dist', 'sandbox', 'control.js'));
  const quiet = () => undefined;
  const project = mkdtempSync(join(tmpdir(), 'storm-bench-import-'));
  try {
    const sandbox = await control.ensureSandbox({
      cwd: project,
      progress: quiet,
      settings: { port: 0, statusDelayMs: 20 },
    });
    const seeded = await seed(sandbox.url, sandbox.logins.admin);
    const started = performance.now();
    const out = await storm(root, project, ['import', 'bench', '--country', 'PT', '--json']);
    const seconds = (performance.now() - started) / 1000;
    const report = JSON.parse(out).result;
    const resources = report.imported.resources;
    if (resources < 500) throw new Error(`only ${resources} resources adopted of ${seeded} seeded`);
    return [
      {
        name: 'storm import of a 500-resource project (sandbox)',
        value: seconds,
        unit: 's',
        target: { op: '<=', value: 30 },
      },
      { name: 'storm import throughput (sandbox)', value: resources / seconds, unit: 'resources/s' },
    ];
  } finally {
    await control.stopSandbox({ cwd: project, progress: quiet }).catch(() => undefined);
    rmSync(project, { recursive: true, force: true });
  }
}

function storm(root, project, args) {
  // No OS_* of this machine: storm finds the project's own sandbox.
  const env = Object.fromEntries(
    Object.entries(process.env).filter(([k]) => !k.startsWith('OS_') && !k.startsWith('STORM_SANDBOX')),
  );
  return new Promise((resolve, reject) => {
    execFile(
      process.execPath,
      [join(root, 'bin', 'storm'), '--cwd', project, ...args],
      { env: { ...env, NO_COLOR: '1' }, maxBuffer: 64 * 1024 * 1024 },
      (err, stdout, stderr) =>
        err ? reject(new Error(`storm ${args[0]} failed: ${stderr.slice(-800)}`)) : resolve(stdout),
    );
  });
}

/** Seeds the admin project; returns how many resources storm should find. */
async function seed(url, password) {
  const api = await login(url, password);
  const limit = limiter(8);
  const all = (items, fn) => Promise.all(items.map((x, i) => limit(() => fn(x, i))));
  const pid = api.projectId;
  await api.call('compute', 'PUT', `/os-quota-sets/${pid}`, { quota_set: { instances: -1, cores: -1, ram: -1 } });
  await api.call('network', 'PUT', `/v2.0/quotas/${pid}`, {
    quota: { port: -1, floatingip: -1, security_group: -1, security_group_rule: -1 },
  });
  await api.call('volumev3', 'PUT', `/os-quota-sets/${pid}`, { quota_set: { volumes: -1, gigabytes: -1 } });

  const publicNet = (await api.call('network', 'GET', '/v2.0/networks?name=public')).networks[0].id;
  const net = (await api.call('network', 'POST', '/v2.0/networks', { network: { name: 'bench-net' } })).network.id;
  const subnet = async (name, cidr) =>
    (await api.call('network', 'POST', '/v2.0/subnets', { subnet: { name, network_id: net, cidr, ip_version: 4 } }))
      .subnet.id;
  const webSub = await subnet('web-sub', '10.60.1.0/24');
  const dbSub = await subnet('db-sub', '10.60.2.0/24');
  const router = (
    await api.call('network', 'POST', '/v2.0/routers', {
      router: { name: 'bench-router', external_gateway_info: { network_id: publicNet } },
    })
  ).router.id;
  for (const s of [webSub, dbSub])
    await api.call('network', 'PUT', `/v2.0/routers/${router}/add_router_interface`, { subnet_id: s });

  const group = async (name) =>
    (await api.call('network', 'POST', '/v2.0/security-groups', { security_group: { name } })).security_group.id;
  const rule = (sg, port, remote) =>
    api.call('network', 'POST', '/v2.0/security-group-rules', {
      security_group_rule: {
        security_group_id: sg,
        direction: 'ingress',
        ethertype: 'IPv4',
        protocol: 'tcp',
        port_range_min: port,
        port_range_max: port,
        ...remote,
      },
    });
  const web = await group('web');
  const db = await group('db');
  await rule(web, 443, { remote_ip_prefix: '0.0.0.0/0' });
  await rule(web, 80, { remote_ip_prefix: '0.0.0.0/0' });
  await rule(db, 5432, { remote_group_id: web });
  const extras = await all(
    Array.from({ length: EXTRA_GROUPS }, (_, i) => `team-${i + 1}`),
    group,
  );
  await all(extras, (sg, i) =>
    all([22, 8000 + i, 9000 + i], (port) => rule(sg, port, { remote_ip_prefix: '10.0.0.0/8' })),
  );
  await api.call('compute', 'POST', '/os-keypairs', { keypair: { name: 'ops-key', public_key: KEY } });

  const image = (await api.call('image', 'GET', '/v2/images?name=debian-12')).images[0].id;
  const flavors = (await api.call('compute', 'GET', '/flavors')).flavors;
  const flavor = (name) => flavors.find((f) => f.name === name).id;
  const server = (name, flavorName, sg, ip) =>
    api.call('compute', 'POST', '/servers', {
      server: {
        name,
        flavorRef: flavor(flavorName),
        imageRef: image,
        key_name: 'ops-key',
        security_groups: [{ name: sg }],
        networks: [{ uuid: net, fixed_ip: ip }],
      },
    });
  const webNames = Array.from({ length: WEB }, (_, i) => `web-${i + 1}`);
  const dbNames = Array.from({ length: DB }, (_, i) => `db-${i + 1}`);
  await all(webNames, (n, i) => server(n, 'm1.small', 'web', `10.60.1.${i + 10}`));
  await all(dbNames, (n, i) => server(n, 'm1.medium', 'db', `10.60.2.${i + 10}`));
  const servers = await waitFor(async () => {
    const list = (await api.call('compute', 'GET', '/servers/detail?limit=1000')).servers;
    return list.length === WEB + DB && list.every((s) => s.status === 'ACTIVE') ? list : undefined;
  }, 'servers ACTIVE');
  const idOf = new Map(servers.map((s) => [s.name, s.id]));
  const ports = (await api.call('network', 'GET', `/v2.0/ports?network_id=${net}&limit=1000`)).ports;
  const portOf = new Map(ports.map((p) => [p.device_id, p.id]));
  await all(webNames, (n) =>
    api.call('network', 'POST', '/v2.0/floatingips', {
      floatingip: { floating_network_id: publicNet, port_id: portOf.get(idOf.get(n)) },
    }),
  );
  const volumes = await all(
    dbNames,
    async (n) => (await api.call('volumev3', 'POST', '/volumes', { volume: { name: `${n}-data`, size: 1 } })).volume.id,
  );
  await waitFor(async () => {
    const list = (await api.call('volumev3', 'GET', '/volumes/detail?limit=1000')).volumes;
    return list.filter((v) => v.status === 'available').length === DB ? true : undefined;
  }, 'volumes available');
  await all(dbNames, (n, i) =>
    api.call('compute', 'POST', `/servers/${idOf.get(n)}/os-volume_attachments`, {
      volumeAttachment: { volumeId: volumes[i] },
    }),
  );
  await all(
    Array.from({ length: CONTAINERS }, (_, i) => `files-${i + 1}`),
    (name) => api.call('object-store', 'PUT', `/${name}`),
  );
  // network, 2 subnets, router, 2 interfaces, groups and rules, key pair, servers and ports,
  // floating IPs and their associations, volumes and attachments, containers
  return (
    1 + 2 + 1 + 2 + (2 + EXTRA_GROUPS) + (3 + 3 * EXTRA_GROUPS) + 1 + 2 * (WEB + DB) + 2 * WEB + 2 * DB + CONTAINERS
  );
}

async function login(url, password) {
  const res = await fetch(`${url}/identity/v3/auth/tokens`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({
      auth: {
        identity: {
          methods: ['password'],
          password: { user: { name: 'admin', domain: { name: 'Default' }, password } },
        },
        scope: { project: { name: 'admin', domain: { name: 'Default' } } },
      },
    }),
  });
  if (res.status !== 201) throw new Error(`sandbox login: HTTP ${res.status}`);
  const token = res.headers.get('x-subject-token');
  const body = await res.json();
  const endpoint = (type) => {
    const entry = body.token.catalog.find((c) => c.type === type);
    const e = entry?.endpoints.find((x) => x.interface === 'public');
    if (e === undefined) throw new Error(`no ${type} endpoint in the sandbox's catalog`);
    return e.url.replace(/\/+$/, '');
  };
  return {
    projectId: body.token.project.id,
    async call(type, method, path, json) {
      const r = await fetch(`${endpoint(type)}${path}`, {
        method,
        headers: {
          'X-Auth-Token': token,
          ...(json === undefined ? {} : { 'Content-Type': 'application/json' }),
          ...(type === 'compute' ? { 'OpenStack-API-Version': 'compute 2.79' } : {}),
        },
        ...(json === undefined ? {} : { body: JSON.stringify(json) }),
      });
      if (r.status >= 300)
        throw new Error(`${method} ${type}${path}: HTTP ${r.status} ${(await r.text()).slice(0, 300)}`);
      const text = await r.text();
      return text === '' ? {} : JSON.parse(text);
    },
  };
}

function limiter(n) {
  let active = 0;
  const waiting = [];
  return async (fn) => {
    if (active >= n) await new Promise((resolve) => waiting.push(resolve));
    active += 1;
    try {
      return await fn();
    } finally {
      active -= 1;
      waiting.shift()?.();
    }
  };
}

async function waitFor(check, what) {
  const deadline = Date.now() + 120_000;
  for (;;) {
    const v = await check();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}
