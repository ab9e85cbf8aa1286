import { afterEach, describe, expect, it } from 'vitest';
import {
  MASKED,
  forgetSecrets,
  isSecretKey,
  knownSecrets,
  redactFreeText,
  redactText,
  redactValue,
  registerSecret,
  registerSecretLines,
  registerSecretsIn,
} from '../src/redact';

afterEach(() => forgetSecrets());

describe('redact', () => {
  it('masks registered secrets, longest first, and their URL-encoded form', () => {
    registerSecret('p@ss word');
    registerSecret('p@ss word plus');
    expect(redactText('a p@ss word plus b p@ss word c p%40ss%20word', {})).toBe(`a ${MASKED} b ${MASKED} c ${MASKED}`);
  });

  it('ignores values too short to be secrets', () => {
    registerSecret('abc');
    registerSecret('');
    registerSecret(undefined);
    expect(knownSecrets({})).toEqual([]);
  });

  it('masks values of secret-named environment variables only', () => {
    const env = {
      OS_PASSWORD: 'hunter22',
      AWS_SECRET_ACCESS_KEY: 'awsk3y99',
      TF_HTTP_PASSWORD: 'httppw11',
      HOME: '/home/x',
    };
    expect(redactText('hunter22 awsk3y99 httppw11 /home/x', env)).toBe(`${MASKED} ${MASKED} ${MASKED} /home/x`);
  });

  it('masks a password inside a URL', () => {
    expect(redactText('postgres://storm:s3cr3t@db/x', {})).toBe(`postgres://storm:${MASKED}@db/x`);
  });

  it('masks credential-shaped pairs in free text kept for good, but not in output', () => {
    expect(redactFreeText('application_credential_secret: abc123, password=xyz9 token: "q r"', {})).toBe(
      `application_credential_secret: ${MASKED}, password=${MASKED} token: ${MASKED}`,
    );
    expect(redactText('admin password: printed-on-purpose', {})).toBe('admin password: printed-on-purpose');
  });

  it('walks JSON documents without changing keys or non-strings', () => {
    registerSecret('canary-1234');
    expect(redactValue({ a: ['x canary-1234', 3, null], 'canary-1234': true }, {})).toEqual({
      a: [`x ${MASKED}`, 3, null],
      'canary-1234': true,
    });
  });

  it('knows which keys hold secrets', () => {
    for (const k of ['password', 'application_credential_secret', 'token', 'auth_token', 'client_secret'])
      expect(isSecretKey(k), k).toBe(true);
    for (const k of ['username', 'auth_url', 'project_name', 'application_credential_id'])
      expect(isSecretKey(k), k).toBe(false);
  });

  it('registers the secrets of a parsed credentials document', () => {
    registerSecretsIn({
      clouds: { a: { auth: { password: 'pw-from-yaml', username: 'deployer' } }, b: [{ token: 'tok-12345' }] },
    });
    expect(knownSecrets({}).sort()).toEqual(['pw-from-yaml', 'tok-12345']);
  });

  it('registers the secrets of lines of a file that does not parse', () => {
    registerSecretLines('clouds:\n  a:\n    auth:\n      password: "pw-broken: x  # note\n      username: deployer\n');
    expect(redactText('x pw-broken: x y', {})).toBe(`x ${MASKED} y`);
    expect(redactText('deployer', {})).toBe('deployer');
  });
});
