// Issue 4's figure: wall time of applying valladolid production (storm's own
// synthesis, plain `tofu apply` with the real provider) against a freshly
// started sandbox with its default settings (300 ms status transitions), and of
// destroying it again. `tofu init` is timed apart: it does not talk to the cloud.
import { mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export async function run({ root }) {
  const require = createRequire(import.meta.url);
  const control = require(join(root, 'dist', 'sandbox', 'control.js'));
  const { ensureEngine } = require(join(root, 'dist', 'engine', 'bootstrap.js'));
  const { runTofu } = require(join(root, 'dist', 'engine', 'tofu.js'));
  const { synthCity } = require(join(root, 'dist', 'synth', 'synth-city.js'));
  const { sandboxCredentials } = require(join(root, 'dist', 'cloud', 'sandbox-target.js'));
  const { tofuCloudEnvironment } = require(join(root, 'dist', 'cloud', 'credentials.js'));
  const { ensureSandboxPartnerProjects } = require(join(root, 'dist', 'cloud', 'sandbox-partners.js'));
  const quiet = () => undefined;
  const project = mkdtempSync(join(tmpdir(), 'storm-bench-sandbox-apply-'));
  const work = join(project, 'work');
  try {
    const engine = await ensureEngine(quiet);
    const synth = synthCity('valladolid', { cwd: root, env: 'production', outDir: work });
    const sandbox = await control.ensureSandbox({ cwd: project, progress: quiet, settings: { port: 0 } });
    const credentials = sandboxCredentials(sandbox.url, sandbox.authUrl);
    await ensureSandboxPartnerProjects(
      credentials,
      synth.resolved.partners.map((p) => p.project),
    );
    const env = Object.fromEntries(Object.entries(tofuCloudEnvironment(credentials)).map(([k, v]) => [k, v ?? '']));
    const tofu = async (...args) => {
      const r = await runTofu(engine, args, { cwd: work, env });
      if (r.exitCode !== 0) throw new Error(`tofu ${args[0]} failed: ${r.stderr.slice(0, 800)}`);
      return r.durationMs / 1000;
    };
    const init = await tofu('init', '-no-color');
    const apply = await tofu('apply', '-auto-approve', '-no-color');
    const destroy = await tofu('destroy', '-auto-approve', '-no-color');
    const resources = synth.stats.resourceTotal;
    return [
      { name: `tofu apply valladolid production, ${resources} resources (sandbox)`, value: apply, unit: 's' },
      { name: 'tofu destroy valladolid production (sandbox)', value: destroy, unit: 's' },
      { name: 'tofu init of the synthesized stack (no cloud calls)', value: init, unit: 's' },
    ];
  } finally {
    await control.stopSandbox({ cwd: project, progress: quiet }).catch(() => undefined);
    rmSync(project, { recursive: true, force: true });
  }
}
