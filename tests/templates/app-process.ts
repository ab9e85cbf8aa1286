/**
 * Runs a compiled pilot application as a real process (node, its artifact
 * layout, a temp data dir), the way systemd runs it on an instance.
 */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

export const repoRoot = path.join(__dirname, '..', '..');

/**
 * The node that runs the apps: this one, or STORM_TEMPLATE_NODE — e.g. Debian
 * 12's own nodejs 18, which is what instances run (`apt-get download nodejs`).
 */
export const APP_NODE = process.env.STORM_TEMPLATE_NODE ?? process.execPath;

/** Compiles one template (incremental; each template has its own dist/, so parallel test files do not collide). */
export function buildTemplate(name: string): void {
  execFileSync(
    process.execPath,
    [path.join(repoRoot, 'node_modules', 'typescript', 'bin', 'tsc'), '-b', path.join(repoRoot, 'templates', name)],
    { stdio: 'inherit' },
  );
}

export interface RunningApp {
  url: string;
  dataDir: string;
  stop(): Promise<void>;
  output(): string;
}

export function tempDataDir(prefix: string): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), `storm-${prefix}-`));
}

export async function startApp(
  name: string,
  options: { dataDir: string; config?: Record<string, unknown>; env?: Record<string, string> },
): Promise<RunningApp> {
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    PORT: '0',
    HOST: '127.0.0.1',
    STORM_DATA_DIR: options.dataDir,
    ...options.env,
  };
  delete env.STORM_SERVICE_CONFIG;
  if (options.config !== undefined) {
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'storm-config-')), 'config.json');
    fs.writeFileSync(file, JSON.stringify(options.config));
    env.STORM_SERVICE_CONFIG = file;
  }
  const entry = path.join(repoRoot, 'templates', name, 'dist', name, 'app', 'main.js');
  const child: ChildProcess = spawn(APP_NODE, [entry], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout?.on('data', (c: Buffer) => (out += c.toString()));
  child.stderr?.on('data', (c: Buffer) => (out += c.toString()));
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${name} did not start in 10 s:\n${out}`)), 10_000);
    const onData = (): void => {
      const m = /listening on (http:\/\/[\d.]+:\d+)/.exec(out);
      if (m?.[1] !== undefined) {
        clearTimeout(timer);
        resolve(m[1]);
      }
    };
    child.stdout?.on('data', onData);
    child.on('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`${name} exited with ${code}:\n${out}`));
    });
  });
  child.removeAllListeners('exit');
  return {
    url,
    dataDir: options.dataDir,
    output: () => out,
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
}

export async function getJson<T = Record<string, unknown>>(
  url: string,
  init?: RequestInit,
): Promise<{ status: number; body: T; headers: Headers }> {
  const res = await fetch(url, init);
  return { status: res.status, body: (await res.json()) as T, headers: res.headers };
}

export function postJson(
  url: string,
  body: unknown,
  headers: Record<string, string> = {},
): Promise<{ status: number; body: Record<string, unknown>; headers: Headers }> {
  return getJson(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify(body),
  });
}

export function adminToken(dataDir: string): string {
  return fs.readFileSync(path.join(dataDir, 'admin-token'), 'utf8').trim();
}
