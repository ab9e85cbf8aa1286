/**
 * One tofu working directory per city and environment under .storm/:
 *
 *   .storm/work/<city>/<env>/   main.tf.json (synthesized), storm_override.tf.json
 *                               (state backend), .terraform/, lock file, plan files
 *   .storm/state/<city>/<env>/terraform.tfstate   (local backend)
 *
 * Nothing here ever holds a secret: credentials reach tofu through its environment.
 */
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { PRIVATE_DIR_MODE, writePrivateFile } from '../private-files';

export const STORM_DIR = '.storm';
export const MAIN_FILE = 'main.tf.json';
export const BACKEND_FILE = 'storm_override.tf.json';
export const INIT_STAMP_FILE = '.storm-init.json';

export interface Workspace {
  city: string;
  env: string;
  /** Project directory. */
  root: string;
  dir: string;
  /** Where the local backend keeps this stack's state. */
  localStateFile: string;
}

export function workspaceFor(root: string, city: string, env: string): Workspace {
  return {
    city,
    env,
    root,
    dir: path.join(root, STORM_DIR, 'work', city, env),
    localStateFile: path.join(root, STORM_DIR, 'state', city, env, 'terraform.tfstate'),
  };
}

/** Writes a file only when its content changed, so tofu's caches stay warm. */
export function writeIfChanged(file: string, content: string): boolean {
  try {
    if (fs.readFileSync(file, 'utf8') === content) return false;
  } catch {
    // absent: written below
  }
  fs.mkdirSync(path.dirname(file), { recursive: true, mode: PRIVATE_DIR_MODE });
  writePrivateFile(file, content);
  return true;
}

export function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

/** Canonical JSON (sorted keys) so a hash does not depend on key order. */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(sortKeys(value));
}

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (typeof value === 'object' && value !== null) {
    const out: Record<string, unknown> = {};
    for (const k of Object.keys(value).sort()) out[k] = sortKeys((value as Record<string, unknown>)[k]);
    return out;
  }
  return value;
}

/**
 * What decides whether `tofu init` must run again: the engine, the backend and
 * the provider requirements — not the resources, which change all the time.
 */
export function initKey(engineId: string, terraformJson: unknown, backendJson: string): string {
  const doc =
    typeof terraformJson === 'object' && terraformJson !== null ? (terraformJson as Record<string, unknown>) : {};
  const tf =
    typeof doc.terraform === 'object' && doc.terraform !== null ? (doc.terraform as Record<string, unknown>) : {};
  return sha256(
    canonicalJson({
      engineId,
      requiredProviders: tf.required_providers ?? null,
      backend: backendJson,
      modules: doc.module ?? null,
    }),
  );
}

export function initIsCurrent(ws: Workspace, key: string): boolean {
  if (!fs.existsSync(path.join(ws.dir, '.terraform.lock.hcl'))) return false;
  if (!fs.existsSync(path.join(ws.dir, '.terraform', 'providers'))) return false;
  try {
    const stamp = JSON.parse(fs.readFileSync(path.join(ws.dir, INIT_STAMP_FILE), 'utf8')) as { key?: unknown };
    return stamp.key === key;
  } catch {
    return false;
  }
}

export function recordInit(ws: Workspace, key: string): void {
  writeIfChanged(path.join(ws.dir, INIT_STAMP_FILE), `${JSON.stringify({ key }, null, 2)}\n`);
}

/** A plan file private to this storm process (two runs of a stack must not share one). */
export function runPlanFile(ws: Workspace, kind: 'apply' | 'destroy' | 'status'): string {
  return path.join(ws.dir, `${kind}-${process.pid}.tfplan`);
}

/** Removes a run's own plan file and its record; a saved plan (--out) is the user's and stays. */
export function removeRunPlan(file: string): void {
  for (const f of [file, `${file}.storm.json`]) fs.rmSync(f, { force: true });
}
