/**
 * The provider's dependency lock, reviewed and committed: storm writes it into
 * every workspace before `tofu init`, so tofu checks the provider in storm's
 * mirror against these hashes instead of trusting whatever it finds there on
 * first use. src/engine/provider.lock.hcl is the same text, for reviewers (a
 * test keeps the two equal).
 *
 * The hash is tofu's package hash (`h1:`, Go's dirhash of the unpacked
 * provider directory) of storm's own build, which is reproducible: the pinned
 * module (h1 in pins.ts), the pinned Go toolchain, -trimpath, no cgo. A
 * platform with no reviewed hash here gets no lock from storm (tofu records
 * the build it finds, as before); add its hash here when a reviewer has it.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { dirHash1 } from './integrity';
import { PROVIDER_HOSTS, PROVIDER_NAMESPACE, PROVIDER_TYPE, PROVIDER_VERSION } from '../pins';

/** Package hash of storm's provider build, by Go platform. */
export const REVIEWED_PROVIDER_HASHES: Readonly<Record<string, string>> = {
  linux_amd64: 'h1:sNjsu6LSypFhm8OsN1LOdmTpxHKQGiEcsSfwywLnZbM=',
};

export const LOCK_FILE = '.terraform.lock.hcl';

/** tofu's package hash of an unpacked provider directory (the mirror's platform directory). */
export function providerPackageHash(dir: string): string {
  return dirHash1(dir, '');
}

export function reviewedProviderHash(platform: string): string | undefined {
  return REVIEWED_PROVIDER_HASHES[platform];
}

/** The lock file for a platform with a reviewed hash (undefined otherwise), as `tofu init` itself writes it. */
export function renderProviderLock(platform: string): string | undefined {
  const hash = reviewedProviderHash(platform);
  if (hash === undefined) return undefined;
  const blocks = PROVIDER_HOSTS.map((host) =>
    [
      `provider "${host}/${PROVIDER_NAMESPACE}/${PROVIDER_TYPE}" {`,
      `  version     = "${PROVIDER_VERSION}"`,
      `  constraints = "${PROVIDER_VERSION}"`,
      '  hashes = [',
      `    "${hash}",`,
      '  ]',
      '}',
    ].join('\n'),
  );
  return [
    '# This file is maintained automatically by "tofu init".',
    '# Manual edits may be lost in future updates.',
    '',
    blocks.join('\n\n'),
    '',
  ].join('\n');
}

/**
 * Puts the reviewed lock into a workspace unless the lock there already names
 * only reviewed hashes (tofu rewrites it in its own way, e.g. dropping the
 * other registry host's entry). True when it wrote the file: init must run again.
 */
export function ensureReviewedLock(lockFile: string, platform: string): boolean {
  const reviewed = renderProviderLock(platform);
  if (reviewed === undefined) return false;
  const allowed = new Set(Object.values(REVIEWED_PROVIDER_HASHES));
  let current: string | undefined;
  try {
    current = fs.readFileSync(lockFile, 'utf8');
  } catch {
    current = undefined;
  }
  if (current !== undefined) {
    const hashes = [...current.matchAll(/"([a-z0-9]+:[^"]+)"/g)].map((m) => m[1] as string);
    const pinned = current.includes(`version     = "${PROVIDER_VERSION}"`);
    if (pinned && hashes.length > 0 && hashes.every((h) => allowed.has(h))) return false;
  }
  fs.mkdirSync(path.dirname(lockFile), { recursive: true });
  fs.writeFileSync(lockFile, reviewed);
  return true;
}
