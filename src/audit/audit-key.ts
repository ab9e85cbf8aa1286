/**
 * The operator's audit key, which turns the hash chain into a keyed chain (HMAC):
 * without it nobody — not even someone who can write the log — can re-hash the
 * chain or forge its head. It comes from STORM_AUDIT_KEY (the key itself, e.g.
 * `openssl rand -hex 32` kept in a CI secret) or STORM_AUDIT_KEY_FILE (a file
 * readable by its owner only). It is never written anywhere by storm.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { StormError } from '../errors';
import { registerSecret } from '../redact';

/** Shorter keys can be guessed; 32 characters is e.g. 16 random bytes in hex. */
export const MIN_AUDIT_KEY_LENGTH = 32;

export function auditKeyFrom(
  env: Readonly<Record<string, string | undefined>> = process.env,
  cwd: string = process.cwd(),
): Buffer | undefined {
  const inline = nonEmpty(env.STORM_AUDIT_KEY);
  const file = nonEmpty(env.STORM_AUDIT_KEY_FILE);
  if (inline !== undefined && file !== undefined)
    throw new StormError('usage', 'both STORM_AUDIT_KEY and STORM_AUDIT_KEY_FILE are set', {
      hint: 'keep one of them: the audit key comes from exactly one place',
    });
  let key = inline;
  let where = 'STORM_AUDIT_KEY';
  if (file !== undefined) {
    const abs = path.resolve(cwd, file);
    where = `STORM_AUDIT_KEY_FILE (${abs})`;
    let stat: fs.Stats;
    try {
      stat = fs.statSync(abs);
      key = fs.readFileSync(abs, 'utf8').trim();
    } catch (err) {
      throw new StormError('usage', `cannot read the audit key file ${abs}: ${(err as NodeJS.ErrnoException).code}`, {
        hint: 'STORM_AUDIT_KEY_FILE names a file holding the audit key',
      });
    }
    if ((stat.mode & 0o077) !== 0)
      throw new StormError('usage', `the audit key file ${abs} can be read by other users`, {
        hint: `chmod 600 ${abs}`,
      });
  }
  if (key === undefined) return undefined;
  registerSecret(key);
  if (key.length < MIN_AUDIT_KEY_LENGTH)
    throw new StormError('usage', `the audit key from ${where} is shorter than ${MIN_AUDIT_KEY_LENGTH} characters`, {
      hint: 'make one with `openssl rand -hex 32`',
    });
  return Buffer.from(key, 'utf8');
}

function nonEmpty(v: string | undefined): string | undefined {
  return v === undefined || v.trim() === '' ? undefined : v.trim();
}
