/** Ed25519 release keys for tests: a city's own, and a stranger's that must be refused. */
import { generateKeyPairSync, type KeyObject } from 'node:crypto';

export interface TestReleaseKey {
  privateKey: KeyObject;
  publicKeyPem: string;
}

export function testReleaseKey(): TestReleaseKey {
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  return { privateKey, publicKeyPem: publicKey.export({ type: 'spki', format: 'pem' }).toString() };
}
