/**
 * The files cloud-init writes for Águeda's participa instance, as storm renders
 * them: the fixture the tests that run those files for real share.
 */
import * as path from 'node:path';
import { parse } from 'yaml';
import { renderCloudInit } from '../../src/deploy/cloud-init';
import { loadTemplate, resolveServiceParameters } from '../../src/manifest/templates';

const root = path.join(__dirname, '..', '..');

export interface WriteFile {
  path: string;
  content: string;
}

/** The files, for an instance that trusts releases signed by `releaseKey` (PEM public key). */
export function participaWriteFiles(
  artifactUrl: string,
  releaseKey: string,
  overrides: { displayName?: string } = {},
): WriteFile[] {
  const t = loadTemplate(root, 'participa');
  const text = renderCloudInit({
    city: { name: 'agueda', displayName: overrides.displayName ?? 'Águeda', languages: ['pt', 'en'] },
    environment: 'preprod',
    service: { name: 'participa', parameters: resolveServiceParameters(t, {}) },
    template: t.definition,
    tier: 'web',
    instance: { name: 'agueda-preprod-app-1' },
    artifactUrl,
    releaseKey,
    containerUrls: {},
  });
  return (parse(text) as { write_files: WriteFile[] }).write_files;
}
