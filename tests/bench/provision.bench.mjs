/* global fetch */
// Issue 5's figure: storm's overhead. Wall time of `storm provision valladolid
// --yes` (synth, pre-flight, init, plan, apply, outputs) against plain `tofu
// init && tofu apply` of the very same synthesized stack, on the same sandbox,
// each from a cold working directory and an empty tenancy. Target ratio ≤ 1.05.
import { spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const RUNS = 2;

export async function run({ root }) {
  const require = createRequire(import.meta.url);
  const control = require(join(root, 'dist', 'sandbox', 'control.js'));
  const { ensureEngine } = require(join(root, 'dist', 'engine', 'bootstrap.js'));
  const storm = join(root, 'bin', 'storm');
  const project = mkdtempSync(join(tmpdir(), 'storm-bench-provision-'));
  const quiet = () => undefined;
  try {
    cpSync(join(root, 'stacks'), join(project, 'stacks'), { recursive: true });
    cpSync(join(root, 'templates'), join(project, 'templates'), {
      recursive: true,
      filter: (src) => !src.includes('node_modules'),
    });
    const sandbox = await control.ensureSandbox({ cwd: project, progress: quiet, settings: { port: 0 } });
    const engine = await ensureEngine(quiet);
    await createPartnerProjects(sandbox.url, sandbox.logins.admin, [
      'dg-catastro',
      'jcyl-infraestructura-datos-espaciales',
    ]);
    const env = { ...cleanEnv(), NO_COLOR: '1' };
    const tofuEnv = { ...cleanEnv(), ...sandbox.env, TF_CLI_CONFIG_FILE: engine.cliConfigPath, TF_IN_AUTOMATION: '1' };

    const stormWalls = [];
    const tofuWalls = [];
    for (let i = 0; i < RUNS; i++) {
      rmSync(join(project, '.storm', 'work'), { recursive: true, force: true });
      rmSync(join(project, '.storm', 'state'), { recursive: true, force: true });
      stormWalls.push(
        timed(process.execPath, [storm, 'provision', 'valladolid', '--yes', '--cwd', project], { cwd: project, env }),
      );
      check(
        spawnSync(process.execPath, [storm, 'destroy', 'valladolid', '--yes', '--cwd', project], {
          cwd: project,
          env,
          encoding: 'utf8',
        }),
        'storm destroy',
      );

      const plain = join(project, `plain-${i}`);
      mkdirSync(plain);
      writeFileSync(
        join(plain, 'main.tf.json'),
        readFileSync(join(project, '.storm', 'work', 'valladolid', 'preprod', 'main.tf.json')),
      );
      const started = process.hrtime.bigint();
      check(
        spawnSync(engine.tofuPath, ['init', '-input=false'], { cwd: plain, env: tofuEnv, encoding: 'utf8' }),
        'tofu init',
      );
      check(
        spawnSync(engine.tofuPath, ['apply', '-input=false', '-auto-approve'], {
          cwd: plain,
          env: tofuEnv,
          encoding: 'utf8',
        }),
        'tofu apply',
      );
      tofuWalls.push(Number(process.hrtime.bigint() - started) / 1e9);
      check(
        spawnSync(engine.tofuPath, ['destroy', '-input=false', '-auto-approve'], {
          cwd: plain,
          env: tofuEnv,
          encoding: 'utf8',
        }),
        'tofu destroy',
      );
    }
    await control.stopSandbox({ cwd: project, progress: quiet });
    const s = Math.min(...stormWalls);
    const t = Math.min(...tofuWalls);
    return [
      { name: 'storm provision valladolid --yes (wall, sandbox)', value: s, unit: 's' },
      { name: 'plain tofu init + apply, same stack (wall, sandbox)', value: t, unit: 's' },
      {
        name: 'storm provision overhead (storm / plain tofu)',
        value: s / t,
        unit: '×',
        target: { op: '<=', value: 1.05 },
      },
    ];
  } finally {
    await control.stopSandbox({ cwd: project, progress: quiet }).catch(() => undefined);
    rmSync(project, { recursive: true, force: true });
  }
}

function timed(cmd, args, opts) {
  const started = process.hrtime.bigint();
  check(spawnSync(cmd, args, { ...opts, encoding: 'utf8' }), args.slice(1, 3).join(' '));
  return Number(process.hrtime.bigint() - started) / 1e9;
}

function check(r, what) {
  if (r.status !== 0) throw new Error(`${what} exited ${r.status}: ${(r.stderr ?? '').slice(-1500)}`);
}

/** No OS_* and no machine TF_CLI_CONFIG_FILE: the user with nothing configured. */
function cleanEnv() {
  const env = {};
  for (const [k, v] of Object.entries(process.env)) if (!k.startsWith('OS_') && k !== 'TF_CLI_CONFIG_FILE') env[k] = v;
  return env;
}

async function createPartnerProjects(url, adminPassword, names) {
  const auth = await fetch(`${url}/identity/v3/auth/tokens`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({
      auth: {
        identity: {
          methods: ['password'],
          password: { user: { name: 'admin', domain: { name: 'Default' }, password: adminPassword } },
        },
        scope: { project: { name: 'admin', domain: { name: 'Default' } } },
      },
    }),
  });
  const token = auth.headers.get('x-subject-token');
  for (const name of names) {
    await fetch(`${url}/identity/v3/projects`, {
      method: 'POST',
      headers: { 'X-Auth-Token': token, 'Content-Type': 'application/json' },
      body: JSON.stringify({ project: { name, domain_id: 'default' } }),
    });
  }
}
