/* global fetch */
// Issue 17's provision figures: `storm provision valladolid --yes` against the
// reviewed-plan workflow a person does by hand on the very same synthesized stack and
// sandbox — `tofu init`, `tofu plan -out`, `tofu show -json` (to review it), `tofu apply
// <plan>`, one after the other — each from a cold working directory and an empty
// tenancy. The ratio compares like with like: storm with --skip-deploy (the hand
// workflow deploys no service); the full provision, services deployed and healthy, is
// reported beside it. Storm's own time outside tofu and outside the deploy is the
// wall time of the --skip-deploy run less the time at least one tofu process ran
// (STORM_TRACE_FILE records each; storm overlaps reading the plan back with the apply).
// Targets: ratio ≤ 1.0, own time ≤ 0.4 s.
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { loadavg, tmpdir } from 'node:os';
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
    const load = loadavg()[0];

    const cold = () => {
      rmSync(join(project, '.storm', 'work'), { recursive: true, force: true });
      rmSync(join(project, '.storm', 'state'), { recursive: true, force: true });
    };
    const destroy = () =>
      check(
        spawnSync(process.execPath, [storm, 'destroy', 'valladolid', '--yes', '--cwd', project], {
          cwd: project,
          env,
          encoding: 'utf8',
        }),
        'storm destroy',
      );

    const skipWalls = [];
    const ownTimes = [];
    const fullWalls = [];
    const handWalls = [];
    for (let i = 0; i < RUNS; i++) {
      cold();
      const trace = join(project, `trace-${i}`);
      const startedAt = Date.now();
      const skip = timed(
        process.execPath,
        [storm, 'provision', 'valladolid', '--yes', '--skip-deploy', '--cwd', project],
        { cwd: project, env: { ...env, STORM_TRACE_FILE: trace } },
      );
      skipWalls.push(skip);
      ownTimes.push(skip - tofuBusySeconds(trace, startedAt));
      destroy();

      cold();
      fullWalls.push(
        timed(process.execPath, [storm, 'provision', 'valladolid', '--yes', '--cwd', project], { cwd: project, env }),
      );
      destroy();

      // The same stack by hand: the configuration storm synthesized, reviewed and applied as a person would.
      const hand = join(project, `hand-${i}`);
      mkdirSync(hand);
      writeFileSync(
        join(hand, 'main.tf.json'),
        readFileSync(join(project, '.storm', 'work', 'valladolid', 'preprod', 'main.tf.json')),
      );
      const tofu = (args, what) =>
        check(
          spawnSync(engine.tofuPath, args, { cwd: hand, env: tofuEnv, encoding: 'utf8', maxBuffer: 1 << 28 }),
          what,
        );
      const started = process.hrtime.bigint();
      tofu(['init', '-input=false'], 'tofu init');
      tofu(['plan', '-input=false', '-out=reviewed.tfplan'], 'tofu plan -out');
      tofu(['show', '-json', 'reviewed.tfplan'], 'tofu show -json');
      tofu(['apply', '-input=false', 'reviewed.tfplan'], 'tofu apply <plan>');
      handWalls.push(Number(process.hrtime.bigint() - started) / 1e9);
      tofu(['destroy', '-input=false', '-auto-approve'], 'tofu destroy');
    }
    await control.stopSandbox({ cwd: project, progress: quiet });
    const s = Math.min(...skipWalls);
    const h = Math.min(...handWalls);
    const f = Math.min(...fullWalls);
    return [
      { name: 'storm provision valladolid --yes --skip-deploy (wall, sandbox)', value: s, unit: 's' },
      {
        name: 'by hand: tofu init, plan -out, show -json, apply <plan> (wall)',
        value: h,
        unit: 's',
      },
      {
        name: 'storm provision / the reviewed-plan workflow by hand',
        value: s / h,
        unit: '×',
        target: { op: '<=', value: 1.0 },
      },
      {
        name: "storm's own time outside tofu and deploy (provision)",
        value: Math.min(...ownTimes),
        unit: 's',
        target: { op: '<=', value: 0.4 },
      },
      { name: 'storm provision valladolid --yes, services deployed (wall)', value: f, unit: 's' },
      { name: 'load average (1 min) before the provision runs', value: load, unit: '' },
    ];
  } finally {
    await control.stopSandbox({ cwd: project, progress: quiet }).catch(() => undefined);
    rmSync(project, { recursive: true, force: true });
  }
}

/** Seconds during which at least one tofu process storm ran was alive (the union of their intervals). */
function tofuBusySeconds(trace, notBefore) {
  if (!existsSync(trace)) return 0;
  const spans = readFileSync(trace, 'utf8')
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => JSON.parse(l))
    .filter((t) => t.program === 'tofu' && t.startedMs >= notBefore - 1000)
    .map((t) => [t.startedMs, t.startedMs + t.durationMs])
    .sort((a, b) => a[0] - b[0]);
  let busy = 0;
  let end = -Infinity;
  for (const [a, b] of spans) {
    if (b <= end) continue;
    busy += b - Math.max(a, end);
    end = b;
  }
  return busy / 1000;
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
