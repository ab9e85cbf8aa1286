/**
 * Per-deployment secrets and values signed with them. The secret is never in
 * the artifact or the user data (both are readable by more people than the
 * service): it is a file in the data directory, created at first start with
 * 32 random bytes, mode 0600, or a file the operator names in the config.
 */
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { writeFileAtomic } from './store';

/** Reads a secret file, creating it (0600, in a 0700 folder when new) on first start; refuses one others can read. */
export function ensureSecretFile(file: string, what: string): string {
  if (!fs.existsSync(file)) {
    fs.mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
    writeFileAtomic(file, `${crypto.randomBytes(32).toString('hex')}\n`, 0o600);
  }
  const mode = fs.statSync(file).mode & 0o777;
  if ((mode & 0o077) !== 0)
    throw new Error(
      `${what} in ${file} can be read by other users (mode ${mode.toString(8).padStart(4, '0')}); run: chmod 600 ${file}`,
    );
  const secret = fs.readFileSync(file, 'utf8').trim();
  if (secret.length < 16) throw new Error(`${what} in ${file} is too short (need at least 16 characters)`);
  return secret;
}

function mac(secret: string, purpose: string, value: string): string {
  return crypto.createHmac('sha256', secret).update(`${purpose}\0${value}`).digest('base64url');
}

/** `value.mac`: HMAC-SHA256 over the purpose and the value, so a value signed for one use is no good for another. */
export function sign(secret: string, purpose: string, value: string): string {
  return `${value}.${mac(secret, purpose, value)}`;
}

/** The value when `signed` carries a valid signature for this purpose; undefined otherwise. */
export function verify(secret: string, purpose: string, signed: string): string | undefined {
  const dot = signed.lastIndexOf('.');
  if (dot <= 0) return undefined;
  const value = signed.slice(0, dot);
  const given = Buffer.from(signed.slice(dot + 1));
  const expected = Buffer.from(mac(secret, purpose, value));
  return given.length === expected.length && crypto.timingSafeEqual(given, expected) ? value : undefined;
}

/**
 * A signed-in session for a cookie: who (`subject`) until when, signed — so
 * the cookie never carries the token or key that signed the visitor in, and
 * a stolen cookie stops working when it expires.
 */
export function signSession(secret: string, purpose: string, subject: string, expiresAtMs: number): string {
  return sign(secret, purpose, `${subject}~${Math.floor(expiresAtMs / 1000)}`);
}

/** The subject of a session this key signed for this purpose and that has not expired; undefined otherwise. */
export function verifySession(
  secret: string,
  purpose: string,
  value: string | undefined,
  nowMs: number,
): string | undefined {
  if (value === undefined || value.length > 400) return undefined;
  const payload = verify(secret, purpose, value);
  if (payload === undefined) return undefined;
  const tilde = payload.lastIndexOf('~');
  const expires = Number(payload.slice(tilde + 1));
  if (tilde < 0 || !Number.isInteger(expires) || expires * 1000 <= nowMs) return undefined;
  return payload.slice(0, tilde);
}
