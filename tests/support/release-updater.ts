/**
 * Runs cloud-init's release updater for real (sh, curl, node, sha256sum, tar):
 * the files user data writes under /etc/storm and /usr/local/lib/storm are
 * placed in a temp dir, and the script is pointed at them through the
 * variables it reads for that (STORM_CONFIG_ROOT, STORM_LIB, STORM_SERVICES_ROOT).
 */
import { spawn } from 'node:child_process';
import { createHash, type KeyObject } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { type ReleasePointer, signReleasePointer } from '../../src/deploy/release';

export interface WriteFile {
  path: string;
  content: string;
}

export interface InstalledUpdater {
  run(): Promise<{ status: number | null; stderr: string }>;
  /** The service's release root (/opt/storm/<service> on an instance). */
  root: string;
  script: string;
  /** What the updater last said (update-status), or undefined. */
  status(): string | undefined;
}

export function installUpdater(files: readonly WriteFile[], dir: string, service: string): InstalledUpdater {
  const lib = path.join(dir, 'lib');
  const etc = path.join(dir, 'etc');
  const opt = path.join(dir, 'opt');
  for (const f of files) {
    const target = f.path.startsWith('/usr/local/lib/storm/')
      ? path.join(lib, f.path.slice('/usr/local/lib/storm/'.length))
      : f.path.startsWith('/etc/storm/')
        ? path.join(etc, f.path.slice('/etc/storm/'.length))
        : undefined;
    if (target === undefined) continue;
    fs.mkdirSync(path.dirname(target), { recursive: true });
    fs.writeFileSync(target, f.content, { mode: 0o755 });
  }
  const script = path.join(lib, 'update-service');
  const root = path.join(opt, service);
  return {
    script,
    root,
    status: () => {
      try {
        return fs.readFileSync(path.join(root, 'update-status'), 'utf8');
      } catch {
        return undefined;
      }
    },
    // Asynchronous: the HTTP server answering the script lives in the test's process.
    run: () =>
      new Promise((resolve) => {
        const child = spawn('sh', [script, service], {
          env: { ...process.env, STORM_LIB: lib, STORM_CONFIG_ROOT: etc, STORM_SERVICES_ROOT: opt },
          stdio: ['ignore', 'ignore', 'pipe'],
        });
        let stderr = '';
        child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
        child.on('close', (status) => resolve({ status, stderr }));
      }),
  };
}

export function sha256(bytes: Buffer): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/** A pointer as the deploy step signs it, for `artifact`, overridable field by field. */
export function signedPointer(
  key: KeyObject,
  artifact: Buffer,
  fields: Partial<ReleasePointer> & Pick<ReleasePointer, 'city' | 'environment' | 'service'>,
): string {
  return signReleasePointer(
    {
      apiVersion: 'storm/v1',
      kind: 'Release',
      template: fields.service,
      version: '1.0.0',
      artifact: `storm-releases-${fields.city}-${fields.environment}/${fields.service}.tar.gz`,
      sha256: sha256(artifact),
      bytes: artifact.length,
      configSha256: 'c'.repeat(64),
      ...fields,
    },
    key,
  );
}
