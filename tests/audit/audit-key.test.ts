import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { auditKeyFrom } from '../../src/audit/audit-key';
import { forgetSecrets, redactText } from '../../src/redact';

const KEY = 'a1'.repeat(20);
afterEach(() => forgetSecrets());

describe('auditKeyFrom', () => {
  it('is undefined without a key, the bytes of STORM_AUDIT_KEY otherwise (and masked from then on)', () => {
    expect(auditKeyFrom({}, '/')).toBeUndefined();
    expect(auditKeyFrom({ STORM_AUDIT_KEY: ` ${KEY}\n` }, '/')).toEqual(Buffer.from(KEY));
    expect(redactText(`key ${KEY}`, {})).toBe('key (masked)');
  });

  it('refuses a short key and two sources', () => {
    expect(() => auditKeyFrom({ STORM_AUDIT_KEY: 'short' }, '/')).toThrow(/shorter than 32 characters/);
    expect(() => auditKeyFrom({ STORM_AUDIT_KEY: KEY, STORM_AUDIT_KEY_FILE: 'k' }, '/')).toThrow(/both/);
  });

  it('reads STORM_AUDIT_KEY_FILE only when no other user can read it', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'storm-audit-key-'));
    try {
      const file = path.join(dir, 'audit.key');
      fs.writeFileSync(file, `${KEY}\n`, { mode: 0o644 });
      fs.chmodSync(file, 0o644);
      expect(() => auditKeyFrom({ STORM_AUDIT_KEY_FILE: 'audit.key' }, dir)).toThrow(/can be read by other users/);
      fs.chmodSync(file, 0o600);
      expect(auditKeyFrom({ STORM_AUDIT_KEY_FILE: 'audit.key' }, dir)).toEqual(Buffer.from(KEY));
      expect(() => auditKeyFrom({ STORM_AUDIT_KEY_FILE: 'missing.key' }, dir)).toThrow(
        /cannot read the audit key file/,
      );
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
