/**
 * `storm diff <city> --from <ref> [--to <ref>]`: what a manifest change would
 * change, with no cloud and no state. Both revisions are loaded and validated,
 * both are synthesized for the environment, and each manifest change is also
 * replayed alone (applied to the older manifest, undone on the newer) to name
 * the resources it affects.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { StormError } from '../errors';
import { LAYERS } from '../engine/plan-changes';
import { loadCity, type LoadedManifest } from '../manifest/load';
import { resolveEnvironment, type CityManifest } from '../manifest/model';
import { synthesizeResolved } from '../synth/synth-city';
import { canonicalJson } from './canonical-json';
import { changedAddresses, diffConfigs, RISK_KINDS, type ResourceDiff, type RiskFlag } from './config-diff';
import {
  countResources,
  DIFF_FORMAT_VERSION,
  type DiffReport,
  type LayerChanges,
  type ManifestChangeView,
  type RevisionRef,
} from './change-report';
import { checkoutRevision, SCHEMA_PATH, type RevisionProject } from './git-revision';
import { applyChange, diffManifests, invertChange, type ManifestChange } from './manifest-diff';
import { serviceNeedsOrNone } from './service-needs';

export interface RevisionDiffOptions {
  cwd: string;
  city: string;
  from: string;
  /** Default: the working tree. */
  to?: string;
  env: string;
}

/** Manifest changes replayed one by one to find affected resources; beyond this, affected is left out. */
const MAX_ISOLATED_CHANGES = 60;

interface Side {
  ref: RevisionRef;
  /** Project directory of the revision (its templates). */
  project: string;
  loaded?: LoadedManifest;
  config?: unknown;
}

/** The configuration `storm synth` would write: the manifest plus what its services' templates (of that revision) need. */
function synth(doc: CityManifest, env: string, project: string): unknown {
  if (doc.environments[env] === undefined) return {};
  const resolved = resolveEnvironment(doc, env);
  return synthesizeResolved(resolved, { services: serviceNeedsOrNone(resolved, project) });
}

function loadSide(
  project: string,
  city: string,
  ref: RevisionRef,
  env: string,
  label: string,
  fallbackTemplates: string | undefined,
  notes: string[],
): Side {
  if (!ref.exists) return { ref, project };
  let loaded: LoadedManifest;
  try {
    loaded = loadCity(city, { cwd: project });
  } catch (err) {
    if (!(err instanceof StormError && err.code === 'invalid-manifest')) throw err;
    // An older revision's templates may not satisfy this storm's template checks; its manifest may still be fine.
    const retried =
      fallbackTemplates === undefined
        ? undefined
        : withTemplatesOf(project, fallbackTemplates, () => loadCity(city, { cwd: project }));
    if (retried === undefined)
      throw new StormError('invalid-manifest', `the manifest of ${city} at ${label} is not valid: ${err.message}`, {
        hint: err.hint ?? 'fix it, or diff against another revision',
        diagnostics: err.diagnostics,
      });
    notes.push(
      `the templates of ${label} do not pass this storm's checks; its manifest was read with the working tree's templates`,
    );
    loaded = retried;
  }
  return { ref: { ...ref, file: loaded.file }, project, loaded, config: synth(loaded.doc, env, project) };
}

function withTemplatesOf<T>(project: string, templates: string, load: () => T): T | undefined {
  const dir = path.join(project, 'templates');
  fs.rmSync(dir, { recursive: true, force: true });
  fs.symlinkSync(templates, dir);
  try {
    return load();
  } catch {
    return undefined;
  }
}

function render(value: unknown): string | undefined {
  return value === undefined ? undefined : canonicalJson(value);
}

const WORLD = /(^|[^0-9])(0\.0\.0\.0\/0|::\/0)/;

/** Risks visible in the manifest change itself (before synthesis). */
function manifestRisks(change: ManifestChange): RiskFlag[] {
  const out: RiskFlag[] = [];
  const after = render(change.after) ?? '';
  if (change.kind !== 'removed' && WORLD.test(after) && /security|adminCidrs/.test(change.path))
    out.push({ kind: 'exposure', subject: change.path, message: `${change.path} opens access to the whole internet` });
  if (change.kind !== 'removed' && /public-read/.test(after))
    out.push({ kind: 'public-container', subject: change.path, message: `${change.path} makes a container public` });
  if (change.kind === 'removed' && /^(compute|storage|network)\./.test(change.path))
    out.push({ kind: 'delete', subject: change.path, message: `${change.path} is removed from the manifest` });
  if (change.path === 'environments.production' || change.path.startsWith('environments.production.'))
    out.push({ kind: 'production', subject: change.path, message: `${change.path} changes what production runs` });
  return out;
}

function byLayer(resources: readonly ResourceDiff[]): LayerChanges[] {
  return LAYERS.map((layer) => ({ layer, resources: resources.filter((r) => r.layer === layer) })).filter(
    (l) => l.resources.length > 0,
  );
}

export function sortRisks(risks: readonly RiskFlag[]): RiskFlag[] {
  return [...risks].sort(
    (a, b) =>
      RISK_KINDS.indexOf(a.kind) - RISK_KINDS.indexOf(b.kind) ||
      (a.subject < b.subject ? -1 : a.subject > b.subject ? 1 : 0),
  );
}

function isolated(base: Side, change: ManifestChange, env: string): string[] | undefined {
  if (base.loaded === undefined) return undefined;
  try {
    return changedAddresses(
      base.config,
      synth(applyChange(base.loaded.doc, change) as CityManifest, env, base.project),
    );
  } catch {
    // The change does not stand alone (it needs another change of the same revision).
    return undefined;
  }
}

/**
 * Affected resources of one manifest change: the older manifest with only that
 * change applied, and the newer one with only that change undone, each
 * synthesized and compared — a change that needs another one to take effect
 * (a volume attached to a group in one place, defined in another) still shows
 * what it touches from one side or the other.
 */
function affectedBy(change: ManifestChange, from: Side, to: Side, env: string): string[] | undefined {
  // A city that is new (or gone) has every resource affected by every key: the note says so once.
  if (from.loaded === undefined || to.loaded === undefined) return undefined;
  const forward = isolated(from, change, env);
  const backward = isolated(to, invertChange(change), env);
  if (forward === undefined && backward === undefined) return undefined;
  return [...new Set([...(forward ?? []), ...(backward ?? [])])].sort();
}

export async function diffRevisions(options: RevisionDiffOptions): Promise<DiffReport> {
  const { cwd, city, env } = options;
  const projects: RevisionProject[] = [];
  try {
    const fromRev = await checkoutRevision(cwd, options.from, city);
    projects.push(fromRev);
    let toProject = cwd;
    let toRef: RevisionRef;
    let toSchema: string | undefined;
    if (options.to === undefined) {
      const exists =
        fs.existsSync(path.join(cwd, 'stacks', `${city}.yaml`)) ||
        fs.existsSync(path.join(cwd, 'stacks', `${city}.yml`));
      toRef = { ref: 'working tree', exists };
      const schemaFile = path.join(cwd, SCHEMA_PATH);
      if (fs.existsSync(schemaFile)) toSchema = fs.readFileSync(schemaFile, 'utf8');
    } else {
      const toRev = await checkoutRevision(cwd, options.to, city);
      projects.push(toRev);
      toProject = toRev.dir;
      toRef = { ref: options.to, commit: toRev.commit, exists: toRev.hasManifest };
      toSchema = toRev.schemaText;
    }
    const fromRef: RevisionRef = { ref: options.from, commit: fromRev.commit, exists: fromRev.hasManifest };
    if (!fromRef.exists && !toRef.exists) {
      throw new StormError('not-found', `no manifest stacks/${city}.yaml in ${options.from} nor in ${toRef.ref}`, {
        hint: 'check the city name and the revisions',
      });
    }
    const notes: string[] = [];
    const currentTemplates = path.join(cwd, 'templates');
    const fallback = fs.existsSync(currentTemplates) ? currentTemplates : undefined;
    const from = loadSide(fromRev.dir, city, fromRef, env, options.from, fallback, notes);
    const to = loadSide(toProject, city, toRef, env, toRef.ref, toProject === cwd ? undefined : fallback, notes);
    for (const side of [from, to]) {
      if (side.loaded !== undefined && side.loaded.doc.environments[env] === undefined) {
        throw new StormError('usage', `${side.loaded.file} at ${side.ref.ref} has no environment "${env}"`, {
          hint: `environments: ${Object.keys(side.loaded.doc.environments).join(', ')}`,
        });
      }
    }
    if (fromRev.schemaText !== undefined && toSchema !== undefined && fromRev.schemaText !== toSchema) {
      notes.push(
        `the manifest schema differs between ${options.from} and ${toRef.ref}; both manifests were validated by this storm`,
      );
    }
    if (!from.ref.exists)
      notes.push(
        `stacks/${city}.yaml does not exist at ${options.from}: the whole city is new, every resource is created`,
      );
    if (!to.ref.exists)
      notes.push(
        `stacks/${city}.yaml does not exist at ${toRef.ref}: the whole city is removed, every resource is deleted`,
      );

    const production = env === 'production';
    const resources = diffConfigs(from.config ?? {}, to.config ?? {}, { production });
    const changes = diffManifests(from.loaded?.doc ?? {}, to.loaded?.doc ?? {});
    if (changes.length > MAX_ISOLATED_CHANGES)
      notes.push(
        `${changes.length} manifest changes: affected resources are listed for the first ${MAX_ISOLATED_CHANGES} only`,
      );
    const manifest: ManifestChangeView[] = changes.map((c, i) => {
      const affected = i < MAX_ISOLATED_CHANGES ? affectedBy(c, from, to, env) : undefined;
      const before = render(c.before);
      const after = render(c.after);
      return {
        kind: c.kind,
        path: c.path,
        ...(before === undefined ? {} : { before }),
        ...(after === undefined ? {} : { after }),
        ...(c.fromPath !== undefined && from.loaded !== undefined
          ? { fromLocation: from.loaded.locate(c.fromPath) }
          : {}),
        ...(c.toPath !== undefined && to.loaded !== undefined ? { toLocation: to.loaded.locate(c.toPath) } : {}),
        ...(affected === undefined ? {} : { affected }),
        risks: manifestRisks(c),
      };
    });
    const risks = sortRisks([
      ...manifest.flatMap((m) => m.risks),
      ...resources.flatMap((r) => r.risks.filter((x) => x.kind !== 'production')),
    ]);
    if (production && (resources.length > 0 || manifest.length > 0))
      risks.push({ kind: 'production', subject: `${city}/${env}`, message: `these changes apply to production` });
    const counts = countResources(resources);
    return {
      formatVersion: DIFF_FORMAT_VERSION,
      kind: 'revision',
      city,
      env,
      from: from.ref,
      to: to.ref,
      hasChanges: manifest.length > 0 || resources.length > 0,
      counts: { manifestChanges: manifest.length, ...counts, risks: risks.length },
      manifest,
      layers: byLayer(resources),
      risks,
      notes,
    };
  } finally {
    for (const p of projects) p.cleanup();
  }
}
