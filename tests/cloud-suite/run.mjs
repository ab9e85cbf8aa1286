#!/usr/bin/env node
/**
 * The real-cloud suite (opt-in, never part of `npm test`):
 *
 *   npm run test:cloud -- --cloud NAME [--skip-deploy] [--image NAME] [--without-versioning] [--city C]... [--keep]
 *
 * For each pilot (stacks/*.yaml, or the --city ones) in a temporary copy of the project, against
 * the cloud NAME of clouds.yaml / OS_* (OS_CLOUD=NAME; "sandbox" is storm's own): validate →
 * plan (pre-flight) → provision → plan with no changes → status → a manifest change (one more
 * instance, one more rule) → provision → plan with no changes → destroy → the project holds exactly
 * what it held before (listed through the API before and after). --skip-deploy is passed to both
 * provisions (clouds whose instances never boot). --image NAME puts the cloud's own image name
 * wherever the pilots name one (a real cloud has its own: `cirros` on an all-in-one);
 * --without-versioning sets `versioning: false` on every container, for an object storage without
 * the object_versioning middleware (pre-flight refuses versioned containers there). Prints one line per step and a JSON summary
 * (cloud, date, storm commit, per-pilot result) for the README's compatibility table; exits 1
 * when any step fails.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { isScalar, parseDocument, visit } from 'yaml';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const STORM = path.join(ROOT, 'bin', 'storm');
const dist = (p) => path.join(ROOT, 'dist', p);

function parseArgs(argv) {
  const args = {
    cloud: undefined,
    skipDeploy: false,
    cities: [],
    keep: false,
    image: undefined,
    withoutVersioning: false,
  };
  for (let i = 0; i < argv.length; i += 1) {
    const a = argv[i];
    if (a === '--cloud') args.cloud = argv[++i];
    else if (a === '--skip-deploy') args.skipDeploy = true;
    else if (a === '--city') args.cities.push(argv[++i]);
    else if (a === '--keep') args.keep = true;
    else if (a === '--image') args.image = argv[++i];
    else if (a === '--without-versioning') args.withoutVersioning = true;
    else
      throw new Error(
        `unknown argument ${a} (usage: npm run test:cloud -- --cloud NAME [--skip-deploy] [--image NAME] [--without-versioning] [--city C]...)`,
      );
  }
  if (args.cloud === undefined || args.cloud === '') throw new Error('--cloud NAME is required');
  return args;
}

/** The project's resources, by kind, as sets of ids: what "nothing left behind" is judged on. */
const LISTS = [
  ['compute', '/servers', 'servers'],
  ['network', '/v2.0/networks', 'networks'],
  ['network', '/v2.0/subnets', 'subnets'],
  ['network', '/v2.0/routers', 'routers'],
  ['network', '/v2.0/ports', 'ports'],
  ['network', '/v2.0/security-groups', 'security_groups'],
  ['network', '/v2.0/floatingips', 'floatingips'],
  ['network', '/v2.0/rbac-policies', 'rbac_policies'],
  ['volumev3', '/volumes', 'volumes'],
];

async function inventory(credentials) {
  const { OpenStackClient } = await import(dist('cloud/openstack-client.js'));
  const client = await OpenStackClient.authenticate(credentials);
  const out = {};
  for (const [service, listPath, key] of LISTS) {
    const types = service === 'volumev3' ? ['block-storage', 'volumev3', 'volume'] : [service];
    if (!client.hasService(types)) continue;
    const body = await client.get(types, listPath);
    out[key] = (body[key] ?? []).map((r) => String(r.id)).sort();
  }
  const store = ['object-store'];
  if (client.hasService(store)) {
    const res = await client.fetch(`${client.endpoint(store)}?format=json`, { headers: client.authHeaders() });
    out.containers = res.status === 200 ? (await res.json()).map((c) => c.name).sort() : [];
  }
  return out;
}

async function credentialsFor(cloud, project, env) {
  if (cloud === 'sandbox') {
    // Started by the CLI, not in this process: a child of ours would stay a zombie while spawnSync blocks.
    const up = spawnSync(
      process.execPath,
      [STORM, '--cwd', project, '--json', 'sandbox', 'up', '--detach', '--port', '0'],
      {
        env,
        encoding: 'utf8',
      },
    );
    if (up.status !== 0) throw new Error(`storm sandbox up failed: ${up.stderr}`);
    const info = JSON.parse(up.stdout).result;
    const { sandboxCredentials } = await import(dist('cloud/sandbox-target.js'));
    return sandboxCredentials(info.url, info.authUrl, info.logins.admin, info.cacert);
  }
  const { resolveCloudTarget } = await import(dist('cloud/credentials.js'));
  const target = resolveCloudTarget(cloud, { cwd: project, env });
  if (target.kind !== 'configured') throw new Error(`cloud "${cloud}" is not configured`);
  return target.credentials;
}

function leftovers(before, after) {
  const out = [];
  for (const [kind, ids] of Object.entries(after)) {
    const had = new Set(before[kind] ?? []);
    const extra = ids.filter((id) => !had.has(id));
    if (extra.length > 0) out.push(`${kind}: ${extra.join(', ')}`);
  }
  return out;
}

/** Every scalar `key:` of the manifest (groups and environment overrides) becomes `value`. */
function setEverywhere(file, key, value) {
  const doc = parseDocument(fs.readFileSync(file, 'utf8'));
  visit(doc, {
    Pair(_, pair) {
      if (isScalar(pair.key) && pair.key.value === key && isScalar(pair.value)) pair.value.value = value;
    },
  });
  fs.writeFileSync(file, doc.toString());
}

/** One more instance in the first group and one more ingress rule in the first security group. */
function changeManifest(file) {
  const doc = parseDocument(fs.readFileSync(file, 'utf8'));
  const count = doc.getIn(['compute', 'groups', 0, 'count']) ?? 1;
  doc.setIn(['compute', 'groups', 0, 'count'], Number(count) + 1);
  const rules = doc.getIn(['security', 'groups', 0, 'rules']);
  const cidr = String(doc.getIn(['network', 'cidr']));
  rules.add(doc.createNode({ direction: 'ingress', protocol: 'tcp', ports: 9100, remote: cidr }));
  fs.writeFileSync(file, doc.toString());
}

async function runPilot(city, args, env) {
  const project = fs.mkdtempSync(path.join(os.tmpdir(), `storm-cloud-${city}-`));
  fs.cpSync(path.join(ROOT, 'stacks'), path.join(project, 'stacks'), { recursive: true });
  fs.cpSync(path.join(ROOT, 'templates'), path.join(project, 'templates'), {
    recursive: true,
    filter: (src) => !src.includes(`${path.sep}node_modules`),
  });
  const steps = [];
  const run = (name, stormArgs, expectCode = 0) => {
    const t0 = Date.now();
    const r = spawnSync(process.execPath, [STORM, '--cwd', project, ...stormArgs], {
      cwd: project,
      env,
      encoding: 'utf8',
    });
    const ok = r.status === expectCode;
    steps.push({ step: name, ok, exit: r.status, seconds: Math.round((Date.now() - t0) / 100) / 10 });
    process.stderr.write(`  ${ok ? '✓' : '✗'} ${city}: ${name} (exit ${r.status}, ${steps.at(-1).seconds}s)\n`);
    if (!ok)
      throw new Error(
        `${name} exited ${r.status}, expected ${expectCode}:\n${r.stderr.trim().split('\n').slice(-15).join('\n')}`,
      );
    return r;
  };
  const manifest = path.join(project, 'stacks', `${city}.yaml`);
  if (args.image !== undefined) setEverywhere(manifest, 'image', args.image);
  if (args.withoutVersioning) setEverywhere(manifest, 'versioning', false);
  const deployFlags = args.skipDeploy ? ['--skip-deploy'] : [];
  let error;
  try {
    const credentials = await credentialsFor(args.cloud, project, env);
    const before = await inventory(credentials);
    run('validate', ['validate', city]);
    run('plan (pre-flight)', ['plan', city]);
    run('provision', ['provision', city, '--yes', ...deployFlags]);
    run('plan: no changes', ['plan', city, '--detailed-exitcode']);
    run('status', ['status', city]);
    changeManifest(path.join(project, 'stacks', `${city}.yaml`));
    run('plan: the change', ['plan', city, '--detailed-exitcode'], 2);
    run('provision the change', ['provision', city, '--yes', ...deployFlags]);
    run('plan: no changes after the change', ['plan', city, '--detailed-exitcode']);
    run('destroy', ['destroy', city, '--yes']);
    const left = leftovers(before, await inventory(credentials));
    steps.push({ step: 'nothing left in the project', ok: left.length === 0 });
    process.stderr.write(`  ${left.length === 0 ? '✓' : '✗'} ${city}: nothing left in the project\n`);
    if (left.length > 0) throw new Error(`left behind: ${left.join('; ')}`);
  } catch (err) {
    error = err instanceof Error ? err.message : String(err);
    process.stderr.write(`  ✗ ${city}: ${error}\n`);
    // Best effort: leave the cloud as it was even when a step failed.
    spawnSync(process.execPath, [STORM, '--cwd', project, 'destroy', city, '--yes'], { env, encoding: 'utf8' });
  } finally {
    if (args.cloud === 'sandbox') spawnSync(process.execPath, [STORM, '--cwd', project, 'sandbox', 'down'], { env });
    if (!args.keep) fs.rmSync(project, { recursive: true, force: true });
  }
  return { city, ok: error === undefined, steps, ...(error === undefined ? {} : { error }) };
}

async function main() {
  const args = parseArgs(process.argv.slice(2));
  const env = { ...process.env, OS_CLOUD: args.cloud, NO_COLOR: '1' };
  const cities =
    args.cities.length > 0
      ? args.cities
      : fs
          .readdirSync(path.join(ROOT, 'stacks'))
          .filter((f) => f.endsWith('.yaml'))
          .map((f) => f.replace(/\.yaml$/, ''))
          .sort();
  let commit = 'unknown';
  try {
    commit = execFileSync('git', ['-C', ROOT, 'rev-parse', '--short', 'HEAD'], { encoding: 'utf8' }).trim();
  } catch {
    // not a checkout
  }
  process.stderr.write(`storm ${commit} against cloud "${args.cloud}"${args.skipDeploy ? ' (--skip-deploy)' : ''}\n`);
  const results = [];
  for (const city of cities) results.push(await runPilot(city, args, env));
  const summary = {
    cloud: args.cloud,
    date: new Date().toISOString().slice(0, 10),
    commit,
    skipDeploy: args.skipDeploy,
    result: results.every((r) => r.ok) ? 'pass' : 'fail',
    pilots: results,
  };
  process.stdout.write(`${JSON.stringify(summary, null, 2)}\n`);
  for (const r of results) if (!r.ok) process.stderr.write(`✗ ${r.city}: ${r.error}\n`);
  process.exitCode = summary.result === 'pass' ? 0 : 1;
}

main().catch((err) => {
  process.stderr.write(`test:cloud: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exitCode = 1;
});
