import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ensureSecretFile, sign, signSession, verify, verifySession } from '../../templates/_runtime/signing';
import { issueVoterId, verifiedVoterId } from '../../templates/participa/app/ideas';

describe('signing', () => {
  it('verifies its own signatures and nothing else', () => {
    const signed = sign('key-one-0123456789', 'purpose', 'value');
    expect(verify('key-one-0123456789', 'purpose', signed)).toBe('value');
    expect(verify('key-two-0123456789', 'purpose', signed)).toBeUndefined();
    expect(verify('key-one-0123456789', 'other-purpose', signed)).toBeUndefined();
    expect(verify('key-one-0123456789', 'purpose', `x${signed}`)).toBeUndefined();
    expect(verify('key-one-0123456789', 'purpose', 'value')).toBeUndefined();
    expect(verify('key-one-0123456789', 'purpose', 'value.')).toBeUndefined();
  });

  it('keeps a session until it expires, for its purpose and key only', () => {
    const s = signSession('key-one-0123456789', 'mod', 'subject', 10_000);
    expect(verifySession('key-one-0123456789', 'mod', s, 9_999)).toBe('subject');
    expect(verifySession('key-one-0123456789', 'mod', s, 10_000)).toBeUndefined();
    expect(verifySession('key-two-0123456789', 'mod', s, 0)).toBeUndefined();
    expect(verifySession('key-one-0123456789', 'inbox', s, 0)).toBeUndefined();
    expect(verifySession('key-one-0123456789', 'mod', s.replace('~10.', '~99.'), 0)).toBeUndefined();
    expect(verifySession('key-one-0123456789', 'mod', undefined, 0)).toBeUndefined();
  });

  it('issues voter ids that verify only under the key that signed them', () => {
    const voter = issueVoterId('key-one-0123456789');
    expect(verifiedVoterId('key-one-0123456789', voter.signed)).toBe(voter.id);
    expect(verifiedVoterId('key-two-0123456789', voter.signed)).toBeUndefined();
    expect(verifiedVoterId('key-one-0123456789', voter.id)).toBeUndefined();
    expect(verifiedVoterId('key-one-0123456789', 'voter-a-0123456789abcdef')).toBeUndefined();
  });

  it('creates the secret file 0600 on first start and refuses one other users can read', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'storm-signing-'));
    const file = path.join(dir, 'data', 'signing-key');
    const secret = ensureSecretFile(file, 'signing key');
    expect(secret).toMatch(/^[0-9a-f]{64}$/);
    expect(fs.statSync(file).mode & 0o777).toBe(0o600);
    expect(fs.statSync(path.dirname(file)).mode & 0o777).toBe(0o700);
    expect(ensureSecretFile(file, 'signing key')).toBe(secret);
    fs.chmodSync(file, 0o644);
    expect(() => ensureSecretFile(file, 'signing key')).toThrow(
      /can be read by other users \(mode 0644\); run: chmod 600/,
    );
  });
});
