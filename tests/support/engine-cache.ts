/**
 * A storm engine cache in a temp dir, laid out as bootstrap builds it, with
 * small stand-in executables (shell scripts answering `version -json`) in
 * place of the real 160 MB binaries: what the hash checks see is the same.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { cacheLayout } from '../../src/engine/bootstrap';
import { recordFile } from '../../src/engine/integrity';
import { BUILD_RECIPE, PROVIDER_VERSION, TOFU_VERSION } from '../../src/pins';

export function fakeEngineScript(version: string): string {
  return `#!/bin/sh\necho '{"terraform_version":"${version}","platform":"linux_amd64"}'\n`;
}

export function writeExecutable(file: string, content: string): void {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, content, { mode: 0o755 });
}

/** A filled cache; `recorded: false` leaves the stamps as storm wrote them before it recorded hashes. */
export function fakeEngineCache(
  cacheDir: string,
  options: { recorded?: boolean } = {},
): ReturnType<typeof cacheLayout> {
  const layout = cacheLayout(cacheDir);
  writeExecutable(layout.tofuPath, fakeEngineScript(TOFU_VERSION));
  for (const p of layout.providerPaths) writeExecutable(p, '#!/bin/sh\necho provider\n');
  const recorded = options.recorded ?? true;
  const rel = (p: string): string => path.relative(cacheDir, p);
  fs.writeFileSync(
    layout.tofuStamp,
    JSON.stringify({
      name: 'opentofu',
      version: TOFU_VERSION,
      goVersion: '1.26.8',
      module: 'm',
      ...(recorded ? { recipe: BUILD_RECIPE, files: { [rel(layout.tofuPath)]: recordFile(layout.tofuPath) } } : {}),
    }),
  );
  fs.mkdirSync(path.dirname(layout.providerStamp), { recursive: true });
  fs.writeFileSync(
    layout.providerStamp,
    JSON.stringify({
      name: 'terraform-provider-openstack',
      version: PROVIDER_VERSION,
      goVersion: '1.26.8',
      module: 'm',
      recipe: BUILD_RECIPE,
      files: Object.fromEntries(layout.providerPaths.map((p) => [rel(p), recordFile(p)])),
    }),
  );
  return layout;
}
