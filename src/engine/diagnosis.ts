/**
 * What `storm doctor` reports: the engine storm uses (or would build), the
 * provider mirror, the cache and the Go toolchain. With build=true it bootstraps
 * first, so doctor doubles as the explicit "set up the engine now" step.
 */
import type { Progress } from '../progress';
import { type EngineSource, ensureEngine, findGo, planEngine } from './bootstrap';
import { TOFU_VERSION } from '../pins';

export interface EngineDiagnosis {
  ready: boolean;
  cacheDir: string;
  engine: { path: string; version: string; source: EngineSource | 'to-build' };
  provider: { version: string; mirrorDir: string; state: 'ready' | 'to-build' };
  cliConfigPath: string | undefined;
  go: { path: string; version: string } | undefined;
  skipped: { path: string; reason: string }[];
  /** Sentences: what bootstrap did (build=true) or would do (build=false). */
  actions: string[];
  elapsedMs: number;
}

export async function diagnoseEngine(
  options: { build: boolean; signal?: AbortSignal },
  progress: Progress,
): Promise<EngineDiagnosis> {
  const started = Date.now();
  const plan = await planEngine();
  if (!options.build) {
    return {
      ready: plan.engine.state === 'found' && plan.provider.state === 'cached',
      cacheDir: plan.cacheDir,
      engine:
        plan.engine.state === 'found'
          ? { path: plan.engine.path, version: plan.engine.version, source: plan.engine.source }
          : { path: plan.engine.path, version: TOFU_VERSION, source: 'to-build' },
      provider: {
        version: plan.provider.version,
        mirrorDir: plan.provider.mirrorDir,
        state: plan.provider.state === 'cached' ? 'ready' : 'to-build',
      },
      cliConfigPath: undefined,
      go: plan.go,
      skipped: plan.skipped,
      actions: plan.actions.map((a) => `would ${a}`),
      elapsedMs: Date.now() - started,
    };
  }
  const engine = await ensureEngine(progress, { signal: options.signal });
  const did: string[] = [];
  if (engine.source === 'built') did.push(`built OpenTofu ${engine.tofuVersion} into ${engine.tofuPath}`);
  else did.push(`using ${engine.tofuPath} (${engine.tofuVersion}, from ${engine.source})`);
  did.push(
    engine.providerSource === 'built'
      ? `built terraform-provider-openstack ${engine.providerVersion} into ${engine.mirrorDir}`
      : `using terraform-provider-openstack ${engine.providerVersion} from ${engine.mirrorDir}`,
  );
  return {
    ready: true,
    cacheDir: engine.cacheDir,
    engine: { path: engine.tofuPath, version: engine.tofuVersion, source: engine.source },
    provider: { version: engine.providerVersion, mirrorDir: engine.mirrorDir, state: 'ready' },
    cliConfigPath: engine.cliConfigPath,
    go: plan.go ?? (await findGo(process.env)),
    skipped: plan.skipped,
    actions: did,
    elapsedMs: Date.now() - started,
  };
}
