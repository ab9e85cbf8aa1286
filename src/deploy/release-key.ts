/**
 * The Ed25519 key that signs a city's release pointers. Its public half
 * travels in every instance's user data; an instance installs only a release
 * whose pointer this key signed, so write access to object storage alone can
 * no longer push code to instances.
 *
 * Where the private key lives, in this order:
 *   1. `STORM_RELEASE_KEY`: the path of a PKCS#8 PEM Ed25519 private key the
 *      operator keeps (a CI secret file); it signs every city and environment
 *      the run handles (each pointer still names its city, environment and
 *      service, and instances check them).
 *   2. `.storm/keys/<city>/<env>/release-key.pem` in the project, generated on
 *      first use, 0600 in 0700 folders. Keep it: a new key changes the user
 *      data, and the provider replaces the instances.
 */
import { createHash, createPrivateKey, createPublicKey, generateKeyPairSync, type KeyObject } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { StormError } from '../errors';

export const RELEASE_KEY_ENV = 'STORM_RELEASE_KEY';

export interface ReleaseKey {
  privateKey: KeyObject;
  /** SPKI PEM of the public key, as instances receive it. */
  publicKeyPem: string;
  /** First 16 hex digits of the public key's sha256 (names the key in messages). */
  keyId: string;
  file: string;
}

export function releaseKeyFile(
  cwd: string,
  city: string,
  env: string,
  environ: Readonly<Record<string, string | undefined>> = process.env,
): { file: string; named: boolean } {
  const named = environ[RELEASE_KEY_ENV];
  if (named !== undefined && named !== '') return { file: path.resolve(cwd, named), named: true };
  return { file: path.join(cwd, '.storm', 'keys', city, env, 'release-key.pem'), named: false };
}

export function publicKeyId(publicKeyPem: string): string {
  const der = createPublicKey(publicKeyPem).export({ type: 'spki', format: 'der' });
  return createHash('sha256').update(der).digest('hex').slice(0, 16);
}

function fromPrivatePem(pem: string, file: string): ReleaseKey {
  let privateKey: KeyObject;
  try {
    privateKey = createPrivateKey(pem);
  } catch {
    throw new StormError('deploy', `${file} is not a PEM private key`, {
      hint: `write an Ed25519 key there (openssl genpkey -algorithm ed25519 -out ${file}) or unset ${RELEASE_KEY_ENV}`,
    });
  }
  if (privateKey.asymmetricKeyType !== 'ed25519')
    throw new StormError('deploy', `${file} holds a ${privateKey.asymmetricKeyType ?? 'unknown'} key, not Ed25519`, {
      hint: `release pointers are signed with Ed25519: openssl genpkey -algorithm ed25519 -out ${file}`,
    });
  const publicKeyPem = createPublicKey(privateKey).export({ type: 'spki', format: 'pem' }).toString();
  return { privateKey, publicKeyPem, keyId: publicKeyId(publicKeyPem), file };
}

/** The city's signing key: the operator's file, or the project's own (generated once). */
export function loadReleaseKey(
  cwd: string,
  city: string,
  env: string,
  environ: Readonly<Record<string, string | undefined>> = process.env,
): ReleaseKey {
  const { file, named } = releaseKeyFile(cwd, city, env, environ);
  let pem: string | undefined;
  try {
    pem = fs.readFileSync(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT' || named)
      throw new StormError('deploy', `cannot read the release signing key ${file}: ${(err as Error).message}`, {
        hint: named
          ? `${RELEASE_KEY_ENV} names a file that must hold an Ed25519 private key (openssl genpkey -algorithm ed25519)`
          : 'check the permissions of .storm/keys/',
      });
  }
  if (pem !== undefined) return fromPrivatePem(pem, file);
  const { privateKey } = generateKeyPairSync('ed25519');
  const text = privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
  for (const dir of [path.join(cwd, '.storm', 'keys'), path.join(cwd, '.storm', 'keys', city), path.dirname(file)]) {
    fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
    fs.chmodSync(dir, 0o700);
  }
  // wx: two runs racing keep one key (the loser reads the winner's).
  try {
    fs.writeFileSync(file, text, { mode: 0o600, flag: 'wx' });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    return fromPrivatePem(fs.readFileSync(file, 'utf8'), file);
  }
  return fromPrivatePem(text, file);
}
