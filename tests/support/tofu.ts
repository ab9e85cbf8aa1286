/**
 * The pinned OpenTofu (built once by the global setup) run through storm's own door, engine/tofu.ts,
 * against a sandbox: the tests' one tofu wrapper.
 */
import { tofuCloudEnvironment } from '../../src/cloud/credentials';
import { sandboxCredentials } from '../../src/cloud/sandbox-target';
import { type Engine, ensureEngine } from '../../src/engine/bootstrap';
import { runTofu } from '../../src/engine/tofu';
import type { ResolvedCity } from '../../src/manifest/model';
import { tlsMaterialFor, tlsVariables } from '../../src/synth/tls-material';

export interface TofuResult {
  exitCode: number;
  stdout: string;
  stderr: string;
  durationMs: number;
}

let engine: Promise<Engine> | undefined;

/** The engine storm uses (one lookup per test file). */
export function testEngine(): Promise<Engine> {
  engine ??= ensureEngine(() => undefined);
  return engine;
}

/** Runs `tofu <args>` in `cwd` with `env` (storm's CLI config, no input). */
export async function tofu(
  args: readonly string[],
  o: { cwd: string; env: Readonly<Record<string, string>> },
): Promise<TofuResult> {
  const r = await runTofu(await testEngine(), [...args], { cwd: o.cwd, env: o.env });
  return { exitCode: r.exitCode, stdout: r.stdout, stderr: r.stderr, durationMs: r.durationMs };
}

/**
 * The provider's OS_* for a sandbox as its admin (whose password is the sandbox's own), exactly as the
 * lifecycle sets them: an empty value hides any OS_* of this machine.
 */
export function sandboxTofuEnv(url: string, adminPassword: string): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(
    tofuCloudEnvironment(sandboxCredentials(url, `${url}/identity/v3`, adminPassword)),
  ))
    env[k] = v ?? '';
  return env;
}

/**
 * The front doors' certificates and keys as storm hands them to tofu (TF_VAR_…, never in main.tf.json), for tests
 * that run tofu on a synthesized city themselves; a generated certificate's city CA is kept under `caDir`.
 */
export function frontDoorTofuEnv(city: ResolvedCity, manifestAbsPath: string, caDir: string): Record<string, string> {
  return tlsVariables(tlsMaterialFor(city, manifestAbsPath, caDir));
}
