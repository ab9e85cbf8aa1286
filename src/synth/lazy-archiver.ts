/**
 * cdktf's index loads `archiver` (and with it readable-stream, lodash, glob and
 * zip-stream: about a fifth of `storm synth`'s start-up) for TerraformAsset, which
 * zips local folders. storm synthesizes no asset, so archiver is put in the module
 * cache as a stand-in that loads the real one on first call: a synth never pays for
 * it, and anything that does zip still gets the real archiver. Imported by
 * synth/cdktf.ts before cdktf itself, so the stand-in is in place when cdktf asks.
 */
import { createRequire } from 'node:module';
import Module from 'node:module';

function installLazyArchiver(): void {
  let fromCdktf: NodeJS.Require;
  let archiverPath: string;
  try {
    fromCdktf = createRequire(require.resolve('cdktf/lib/private/fs.js'));
    archiverPath = fromCdktf.resolve('archiver');
  } catch {
    return; // a cdktf laid out otherwise loads archiver as it always did
  }
  if (require.cache[archiverPath] !== undefined) return;
  let real: ((...args: unknown[]) => unknown) | undefined;
  const standIn = new Module(archiverPath, module);
  standIn.filename = archiverPath;
  standIn.loaded = true;
  standIn.exports = (...args: unknown[]): unknown => {
    if (real === undefined) {
      delete require.cache[archiverPath];
      real = fromCdktf('archiver') as (...a: unknown[]) => unknown;
    }
    return real(...args);
  };
  require.cache[archiverPath] = standIn;
}

installLazyArchiver();
