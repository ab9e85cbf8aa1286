/**
 * The passwords of the sandbox's seeded users (`admin` in project admin, `demo`
 * in project demo). Each data directory gets its own random ones on first
 * start, kept in <data>/logins.json (0600, in a 0700 directory): storm reads
 * them to sign in, `storm sandbox up` prints them, and nobody else on the
 * machine — nor a web page guessing devstack's admin/admin — can sign in.
 * Light on purpose: control.ts reads it without loading the server.
 */
import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';

export const LOGINS_FILE = 'logins.json';

/** Password per seeded user. */
export interface SandboxLogins {
  admin: string;
  demo: string;
}

export function generateLogins(): SandboxLogins {
  // 144 bits each, URL- and shell-safe (no quoting needed in clouds.yaml or an export line).
  return { admin: randomBytes(18).toString('base64url'), demo: randomBytes(18).toString('base64url') };
}

function parseLogins(text: string): SandboxLogins | undefined {
  try {
    const doc = JSON.parse(text) as Partial<SandboxLogins>;
    if (typeof doc.admin === 'string' && doc.admin !== '' && typeof doc.demo === 'string' && doc.demo !== '')
      return { admin: doc.admin, demo: doc.demo };
  } catch {
    // not ours
  }
  return undefined;
}

/** The data directory's logins, undefined when it has none yet (a sandbox never started there). */
export function readLogins(dataDir: string): SandboxLogins | undefined {
  try {
    return parseLogins(fs.readFileSync(path.join(dataDir, LOGINS_FILE), 'utf8'));
  } catch {
    return undefined;
  }
}

/**
 * The data directory's logins, made on first use: the directory becomes 0700,
 * the file is created 0600 and exclusively (two sandboxes starting at once agree
 * on one set). `created` says the passwords are new.
 */
export function ensureLogins(dataDir: string): { logins: SandboxLogins; created: boolean } {
  fs.mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  fs.chmodSync(dataDir, 0o700);
  const file = path.join(dataDir, LOGINS_FILE);
  const existing = readLogins(dataDir);
  if (existing !== undefined) {
    fs.chmodSync(file, 0o600);
    return { logins: existing, created: false };
  }
  const logins = generateLogins();
  try {
    // A damaged file is replaced; a file another start just wrote wins.
    if (fs.existsSync(file)) fs.rmSync(file, { force: true });
    fs.writeFileSync(file, `${JSON.stringify(logins, null, 2)}\n`, { mode: 0o600, flag: 'wx' });
  } catch (e) {
    const raced = readLogins(dataDir);
    if ((e as { code?: string }).code === 'EEXIST' && raced !== undefined) return { logins: raced, created: false };
    throw e;
  }
  return { logins, created: true };
}
