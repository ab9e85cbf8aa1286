/**
 * Preparing a stack for any action: load the manifest, resolve the environment
 * and the cloud, synthesize, set up the workspace and read the state; and the
 * pre-flight against the cloud, with the mapping of what it finds back to the
 * manifest line that causes it.
 */
import { describeCredentials, resolveCloudTarget, tofuCloudEnvironment } from '../cloud/credentials';
import type { CloudCredentials, CloudTarget } from '../cloud/credentials';
import { QUOTA_LABELS } from '../cloud/inventory';
import { runPreflight } from '../cloud/preflight';
import type { ManifestPath } from '../cloud/preflight';
import { ensureSandboxPartnerProjects } from '../cloud/sandbox-partners';
import type { StackRun } from '../engine/plan';
import { label } from '../engine/plan';
import type { StateBackend, StateSnapshot } from '../engine/state';
import { backendSetup } from '../engine/state';
import { acquireRunLock, type RunLock } from '../engine/run-lock';
import { canonicalJson, sha256, workspaceFor } from '../engine/workspace';
import type { SourceLocation } from '../errors';
import { StormError } from '../errors';
import type { LoadedManifest } from '../manifest/load';
import { loadCity } from '../manifest/load';
import type { ResolvedCity } from '../manifest/model';
import { environmentNames, overrideOrigin, resolveEnvironment } from '../manifest/model';
import { tlsMaterialFor, tlsVariables } from '../synth/tls-material';
import { adoptInto, readAdoptionRecord, scoped } from './import';
import type {
  EngineInfo,
  LifecycleContext,
  LifecycleDeps,
  PreflightStatus,
  PreparedStack,
  StackRef,
  TargetInfo,
} from './context';

const sandboxCredentials = new WeakMap<LifecycleDeps, Promise<CloudCredentials>>();
const engines = new WeakMap<LifecycleDeps, Promise<EngineInfo>>();

/**
 * runLocks: take the stack's run lock (engine/run-lock.ts) before reading its state and add it
 * there; the caller releases it once its apply is done (provision, destroy).
 */
export async function prepareStack(
  ctx: LifecycleContext,
  ref: StackRef,
  lockTimeout: string,
  runLocks?: RunLock[],
): Promise<PreparedStack> {
  const loaded = loadCity(ref.city, { cwd: ctx.cwd });
  const envs = environmentNames(loaded.doc);
  if (!envs.includes(ref.env))
    throw new StormError('usage', `${loaded.file} has no environment "${ref.env}"`, {
      hint: `environments: ${envs.join(', ')}`,
    });
  const resolved = resolveEnvironment(loaded.doc, ref.env);
  const city = resolved.city.name;
  const tag = `${city}/${ref.env}`;
  const targetSpec = resolveCloudTarget(resolved.cloud.name, { cwd: ctx.cwd, env: ctx.env });
  const credentials = await credentialsFor(ctx, targetSpec);
  // One region for pre-flight, deploy and tofu: the environment's (the provider block carries it, and it
  // overrides OS_REGION_NAME there), so a city may put each environment in another region of one cloud.
  if (credentials.regionName !== undefined && credentials.regionName !== resolved.cloud.region)
    ctx.progress({
      kind: 'warning',
      message: `${tag}: the manifest's region "${resolved.cloud.region}" is used; ${describeCredentials(credentials)} names region "${credentials.regionName}"`,
    });
  const regional: CloudCredentials = { ...credentials, regionName: resolved.cloud.region };
  // The project the city lives in (cloud.project): the token is scoped to it, whatever the credentials' default.
  const withRegion = resolved.cloud.project === undefined ? regional : scoped(regional, resolved.cloud.project);
  const target: TargetInfo = {
    cloud: targetSpec.kind === 'sandbox' ? targetSpec.cloudName : withRegion.cloudName,
    sandbox: targetSpec.kind === 'sandbox',
    description: describeCredentials(withRegion),
  };
  ctx.progress({ kind: 'detail', message: `${tag}: ${target.description}` });
  // The sandbox's partner projects are only looked up at plan time: made while synthesis runs.
  const partners =
    targetSpec.kind === 'sandbox'
      ? ensureSandboxPartnerProjects(
          withRegion,
          resolved.partners.map((p) => p.project),
        )
      : Promise.resolve([]);
  // The front doors' certificates and keys reach tofu only in its environment (TF_VAR_…).
  const tls = tlsMaterialFor(resolved, loaded.absPath, ctx.cwd);
  const [synthesized, created] = await Promise.all([ctx.deps.synth(loaded, resolved, ctx.cwd, withRegion), partners]);
  let terraformJson = synthesized;
  if (created.length > 0)
    ctx.progress({ kind: 'detail', message: `${tag}: sandbox partner projects created: ${created.join(', ')}` });
  let synthHash = sha256(canonicalJson(terraformJson));
  let engine = engines.get(ctx.deps);
  if (engine === undefined) {
    engine = ctx.deps.engine(ctx.progress, ctx.signal);
    engines.set(ctx.deps, engine);
  }
  const ws = workspaceFor(ctx.cwd, city, ref.env);
  const engineInfo = await engine;
  const run: StackRun = {
    engine: engineInfo,
    ws,
    backend: backendSetup(ws, resolved.state as StateBackend, ctx.env),
    env: { ...definedOnly(tofuCloudEnvironment(withRegion)), ...tlsVariables(tls) },
    progress: ctx.progress,
    lockTimeout,
    ...(ctx.signal === undefined ? {} : { signal: ctx.signal }),
  };
  if (runLocks !== undefined)
    runLocks.push(
      await acquireRunLock(run.backend, tag, lockTimeout, {
        ...(ctx.signal === undefined ? {} : { signal: ctx.signal }),
        onWait: (holder) =>
          ctx.progress({
            kind: 'step',
            message: `${tag}: waiting for another storm run to finish (${holder?.who ?? 'holder unknown'}; up to ${lockTimeout})`,
          }),
      }),
    );
  const { tofu } = ctx.deps;
  tofu.writeWorkspace(run, terraformJson);
  // A local state is read straight from its file, so pre-flight can run before tofu
  // does; other backends need an initialised workspace to pull the state.
  if (run.backend.kind !== 'local') await tofu.ensureInit(run, terraformJson);
  const state = await tofu.readState(run);
  // A city `storm import` wrote: its resources exist already and are adopted, never created again.
  const record = readAdoptionRecord(ctx.cwd, city);
  let adopting: string[] = [];
  if (record !== undefined && record.env === ref.env && isJsonObject(terraformJson)) {
    const adopted = adoptInto(terraformJson, record, state);
    terraformJson = adopted.json;
    adopting = adopted.imports;
    synthHash = sha256(canonicalJson(terraformJson));
    tofu.writeWorkspace(run, terraformJson);
    if (adopted.imports.length > 0)
      ctx.progress({
        kind: 'step',
        message: `${tag}: adopting ${adopted.imports.length} existing resources (stacks/${city}.adoption.json)`,
      });
  }
  return {
    ref: { city, env: ref.env },
    loaded,
    resolved,
    terraformJson,
    synthHash,
    credentials: withRegion,
    target,
    run,
    engine: engineInfo,
    state,
    ...(adopting.length > 0 ? { adopting } : {}),
  };
}

async function credentialsFor(ctx: LifecycleContext, target: CloudTarget): Promise<CloudCredentials> {
  switch (target.kind) {
    case 'configured':
      return target.credentials;
    case 'sandbox': {
      let pending = sandboxCredentials.get(ctx.deps);
      if (pending === undefined) {
        pending = ctx.deps.sandbox(ctx.cwd, ctx.progress).then((c) => {
          ctx.progress({
            kind: 'step',
            message: `using storm's local sandbox cloud at ${c.auth.authUrl} (the manifest names cloud "sandbox")`,
          });
          return c;
        });
        sandboxCredentials.set(ctx.deps, pending);
      }
      return { ...(await pending), cloudName: target.cloudName };
    }
  }
}

function isJsonObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function definedOnly(env: Record<string, string | undefined>): Record<string, string> {
  const out: Record<string, string> = {};
  // An empty value overrides whatever OS_* the parent has, so the provider only sees storm's choice.
  for (const [k, v] of Object.entries(env)) out[k] = v ?? '';
  return out;
}

export async function preflight(stack: PreparedStack, skip: boolean): Promise<PreflightStatus> {
  if (skip) {
    stack.run.progress({
      kind: 'warning',
      message: `${label(stack.run)}: pre-flight skipped (--skip-preflight); cloud problems will surface during apply`,
    });
    return { status: 'skipped' };
  }
  stack.run.progress({ kind: 'detail', message: `${label(stack.run)}: pre-flight against ${stack.target.cloud}` });
  const report = await runPreflight({
    credentials: stack.credentials,
    city: stack.resolved,
    terraformJson: stack.terraformJson,
    // What the plan imports exists already: it needs no quota.
    existingAddresses: new Set([...stack.state.addresses, ...(stack.adopting ?? [])]),
    locate: (p) => locateResolvedPath(stack.loaded, stack.resolved.env, p),
  });
  const quotas = report.quotas
    .map((q) => `${QUOTA_LABELS[q.quota]} ${q.used}+${q.needed}/${q.limit < 0 ? '∞' : q.limit}`)
    .join(', ');
  stack.run.progress({
    kind: 'step',
    message: `${label(stack.run)}: pre-flight passed (${report.checked} names found in ${report.cloud}${quotas === '' ? '' : `; quota used+needed/limit: ${quotas}`})`,
  });
  return { status: 'passed', report };
}

/** Maps a path of the resolved city to where it is written (the environment override when it sets it). */
export function locateResolvedPath(loaded: LoadedManifest, env: string, p: ManifestPath): SourceLocation {
  const [a, b, i, field] = p;
  if (a === 'partners' && typeof b === 'number')
    return loaded.locate(overrideOrigin(loaded.doc, env, 'partners', b, typeof i === 'string' ? i : undefined));
  if (typeof i === 'number') {
    const collection = `${String(a)}.${String(b)}`;
    if (
      collection === 'compute.groups' ||
      collection === 'storage.volumes' ||
      collection === 'storage.containers' ||
      collection === 'security.groups' ||
      collection === 'network.subnets'
    ) {
      return loaded.locate(
        overrideOrigin(loaded.doc, env, collection, i, typeof field === 'string' ? field : undefined),
      );
    }
  }
  if (a === 'cloud' && typeof b === 'string') {
    const override = loaded.doc.environments[env]?.cloud as Record<string, unknown> | undefined;
    if (override?.[b] !== undefined) return loaded.locate(['environments', env, 'cloud', ...p.slice(1)]);
  }
  return loaded.locate(p);
}

/** Best effort: the manifest item a resource address comes from, by its name. */
export function locateAddress(
  loaded: LoadedManifest,
  resolved: ResolvedCity,
  address: string,
): SourceLocation | undefined {
  const m = /(?:^|\.)(openstack_[a-z0-9_]+)\.([A-Za-z0-9_-]+)/.exec(address);
  if (m === null) return undefined;
  const [, type = '', name = ''] = m;
  const tokens = name.toLowerCase().split(/[_-]+/);
  const has = (item: string): boolean => {
    const parts = item.toLowerCase().split(/[_-]+/);
    return tokens.some((_, k) => parts.every((p, j) => tokens[k + j] === p));
  };
  const pick = (
    collection: 'compute.groups' | 'storage.volumes' | 'storage.containers' | 'security.groups' | 'network.subnets',
    items: ReadonlyArray<{ name: string }>,
  ): SourceLocation | undefined => {
    const i = items.findIndex((it) => has(it.name));
    return i < 0 ? undefined : locateResolvedPath(loaded, resolved.env, [...collection.split('.'), i]);
  };
  if (/compute_instance|servergroup|floatingip|volume_attach|keypair|interface_attach/.test(type))
    return pick('compute.groups', resolved.compute.groups) ?? loaded.locate(['compute']);
  if (/blockstorage_volume/.test(type))
    return pick('storage.volumes', resolved.storage.volumes) ?? loaded.locate(['storage']);
  if (/objectstorage/.test(type))
    return pick('storage.containers', resolved.storage.containers) ?? loaded.locate(['storage']);
  if (/secgroup/.test(type)) return pick('security.groups', resolved.security.groups) ?? loaded.locate(['security']);
  if (/subnet|router_interface/.test(type))
    return pick('network.subnets', resolved.network.subnets) ?? loaded.locate(['network']);
  if (/rbac/.test(type)) return loaded.locate(['partners']);
  if (/networking/.test(type)) return loaded.locate(['network']);
  return undefined;
}

/** The state's outputs as plain values, unmasked: for the deploy step and health probes, never for a report. */
export function rawOutputs(state: StateSnapshot): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(state.outputs)) out[k] = v.value;
  return out;
}
