/**
 * `storm import`: discover what one project of a cloud holds (read-only), write
 * the city's manifest in storm's vocabulary and the adoption record beside it,
 * and report what storm cannot express. Nothing in the cloud is created,
 * changed or deleted; nothing is written unless everything checked out, and then
 * both files appear whole (temp file + rename).
 *
 * The adoption record (`stacks/<city>.adoption.json`) says which cloud resource
 * is which resource address and which attributes storm keeps as the cloud has
 * them; `prepareStack` turns it into `import` blocks, so the first plan imports
 * instead of creating and changes nothing.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Document, isMap, isPair, isScalar, isSeq, type Node as YamlNode } from 'yaml';
import type { CloudCredentials } from '../cloud/credentials';
import { describeCredentials, resolveCloudTarget } from '../cloud/credentials';
import { type DiscoveredProject, discoverProject, missingResources } from '../cloud/discovery';
import { OpenStackClient } from '../cloud/openstack-client';
import { StormError } from '../errors';
import { STACKS_DIR } from '../manifest/load';
import { resolveEnvironment } from '../manifest/model';
import { parseManifest } from '../manifest/source';
import { citySchema, validateParsed } from '../manifest/validate';
import { type AdoptionEntry, applyAdoption } from '../synth/adoption';
import { synthesizeResolved } from '../synth/synth-city';
import type { StateSnapshot } from '../engine/state';
import type { LifecycleContext } from './context';
import {
  ADOPTION_SCHEMA,
  type AdoptionRecord,
  type Conversion,
  type ImportComment,
  type ImportFinding,
  convertProject,
} from './import-manifest';

export const IMPORT_REPORT_SCHEMA = 'storm.import-report/v1';

export interface ImportOptions {
  city: string;
  /** A cloud of clouds.yaml / OS_CLOUD, or "sandbox" (default: OS_CLOUD, else sandbox). */
  cloud?: string | undefined;
  /** Project name or id the token is scoped to (default: the credentials' own). */
  project?: string | undefined;
  env: string;
  country: string;
  select?: string | undefined;
  force: boolean;
  concurrency?: number | undefined;
}

export interface ImportReport {
  schema: typeof IMPORT_REPORT_SCHEMA;
  city: string;
  env: string;
  cloud: string;
  project: { id: string; name: string | undefined };
  manifest: string;
  adoption: string;
  found: Record<string, number>;
  imported: { servers: number; computeGroups: number; resources: number };
  findings: ImportFinding[];
  elapsedSeconds: number;
}

export function adoptionFile(cwd: string, city: string): string {
  return path.join(cwd, STACKS_DIR, `${city}.adoption.json`);
}

export async function importCity(ctx: LifecycleContext, options: ImportOptions): Promise<ImportReport> {
  const started = Date.now();
  const { city, env } = options;
  if (!/^[a-z]([a-z0-9-]{0,61}[a-z0-9])?$/.test(city))
    throw new StormError('usage', `"${city}" is not a valid city name`, {
      hint: 'lower-case letters, digits and hyphens, starting with a letter (it becomes stacks/<city>.yaml)',
    });
  const countries = countryCodes();
  if (!countries.includes(options.country))
    throw new StormError('usage', `--country "${options.country}" is not an ISO 3166-1 alpha-2 code storm knows`, {
      hint: 'e.g. --country PT, ES, GR',
    });
  const manifestPath = path.join(ctx.cwd, STACKS_DIR, `${city}.yaml`);
  const recordPath = adoptionFile(ctx.cwd, city);
  if (!options.force)
    for (const p of [manifestPath, recordPath])
      if (fs.existsSync(p))
        throw new StormError('usage', `${path.relative(ctx.cwd, p)} already exists; nothing was written`, {
          hint: 'import under another city name, or pass --force to overwrite it',
        });

  const cloudName = options.cloud ?? nonEmpty(ctx.env.OS_CLOUD) ?? 'sandbox';
  const target = resolveCloudTarget(cloudName, { cwd: ctx.cwd, env: ctx.env });
  const base: CloudCredentials =
    target.kind === 'configured'
      ? target.credentials
      : { ...(await ctx.deps.sandbox(ctx.cwd, ctx.progress)), cloudName: target.cloudName };
  const credentials = scoped(base, options.project);
  ctx.progress({ kind: 'step', message: `importing from ${describeCredentials(credentials)} (read-only)` });
  let client: OpenStackClient;
  try {
    client = await OpenStackClient.authenticate(credentials);
  } catch (err) {
    // Keystone answers a wrong password, an unknown project and a project the user has no
    // role in with the same 401: name the project, which is the likelier mistake here.
    const a = credentials.auth;
    const projectNamed = options.project ?? (a.type === 'password' ? (a.projectName ?? a.projectId) : undefined);
    if (
      projectNamed !== undefined &&
      err instanceof StormError &&
      err.code === 'cloud' &&
      / rejected /.test(err.message)
    )
      throw new StormError(
        'cloud',
        `cloud "${credentials.cloudName}" gave no token for project "${projectNamed}"${a.type === 'password' ? ` to user "${a.username ?? a.userId ?? '?'}"` : ''}: the project does not exist, the user has no role in it, or the password is wrong`,
        {
          hint: `check ${options.project !== undefined ? '--project (a name or an id)' : 'the project of the cloud entry'} with \`openstack project list\` and the user's roles with \`openstack role assignment list --user <user> --names\``,
          cause: err,
        },
      );
    throw err;
  }
  const found = await discoverProject(client, {
    concurrency: options.concurrency ?? 4,
    progress: ctx.progress,
  });
  ctx.progress({
    kind: 'step',
    message: `found ${found.servers.length} servers, ${found.networks.length} networks, ${found.securityGroups.length} security groups, ${found.volumes.length} volumes, ${found.containers.length} containers in project ${found.projectName ?? found.projectId}`,
  });
  const conversion = convertProject(found, {
    city,
    env,
    country: options.country,
    select: options.select,
    project: options.project,
  });
  const text = renderManifestYaml(conversion, found, env);
  checkRoundTrip(conversion, text, manifestPath, ctx.cwd);
  await confirmStillThere(ctx, client, conversion, options.concurrency ?? 4);
  const recordText = `${JSON.stringify(conversion.adoption, null, 2)}\n`;
  writeBothOrNeither([
    [manifestPath, text],
    [recordPath, recordText],
  ]);
  return {
    schema: IMPORT_REPORT_SCHEMA,
    city,
    env,
    cloud: credentials.cloudName,
    project: { id: found.projectId, name: found.projectName },
    manifest: path.relative(ctx.cwd, manifestPath),
    adoption: path.relative(ctx.cwd, recordPath),
    found: {
      networks: found.networks.length,
      subnets: found.subnets.length,
      routers: found.routers.length,
      securityGroups: found.securityGroups.length,
      keypairs: found.keypairs.length,
      serverGroups: found.serverGroups.length,
      servers: found.servers.length,
      volumes: found.volumes.length,
      floatingIps: found.floatingIps.length,
      containers: found.containers.length,
      rbacPolicies: found.rbacPolicies.length,
      loadBalancers: found.loadBalancers.length,
    },
    imported: {
      servers: conversion.counts.servers,
      computeGroups: conversion.counts.groups,
      resources: conversion.counts.resources,
    },
    findings: conversion.findings,
    elapsedSeconds: Math.round((Date.now() - started) / 100) / 10,
  };
}

/** The credentials with their token scoped to `project` (a name, or an id). */
export function scoped(credentials: CloudCredentials, project: string | undefined): CloudCredentials {
  if (project === undefined) return credentials;
  const a = credentials.auth;
  if (a.type !== 'password')
    throw new StormError(
      'usage',
      `--project cannot re-scope application credential of cloud "${credentials.cloudName}"`,
      {
        hint: 'an application credential belongs to one project: use one made in that project',
      },
    );
  const isId = /^[0-9a-f]{32}$/.test(project) || /^[0-9a-f-]{36}$/.test(project);
  const { projectId: _id, projectName: _name, ...rest } = a;
  return {
    ...credentials,
    auth: isId ? { ...rest, projectId: project } : { ...rest, projectName: project },
  };
}

/** The manifest as commented YAML: where each part came from and what was guessed. */
export function renderManifestYaml(conversion: Conversion, found: DiscoveredProject, env: string): string {
  const doc = new Document(conversion.manifest);
  doc.commentBefore = [
    ' yaml-language-server: $schema=../src/manifest/city-manifest.schema.json',
    ` Imported by \`storm import\` from project ${found.projectName ?? found.projectId} (${found.projectId}) of cloud ${found.cloud}.`,
    ` Environment "${env}" adopts the existing resources: stacks/${conversion.manifest.city.name}.adoption.json says which is which`,
    ' and keeps their cloud names. No password, private key, token or user data is ever written here.',
  ].join('\n');
  for (const c of conversion.comments) commentAt(doc, c);
  // The manifest's compact forms: one line per rule, pool and partner access.
  compactFlow(doc.getIn(['security', 'groups']), (group) => (isMap(group) ? group.get('rules', true) : undefined));
  compactFlow(doc.getIn(['network', 'subnets']), (s) => (isMap(s) ? s.get('allocationPools', true) : undefined));
  compactFlow(doc.getIn(['partners']), (p) => (isMap(p) ? p.get('access', true) : undefined));
  return doc.toString({ lineWidth: 120 });
}

function compactFlow(list: unknown, pick: (item: unknown) => unknown): void {
  if (!isSeq(list)) return;
  for (const item of list.items) {
    const inner = pick(item);
    if (isSeq(inner)) for (const x of inner.items) if (isMap(x)) x.flow = true;
  }
}

function commentAt(doc: Document, c: ImportComment): void {
  const parentPath = c.path.slice(0, -1);
  const last = c.path[c.path.length - 1];
  const parent = parentPath.length === 0 ? doc.contents : doc.getIn(parentPath, true);
  if (typeof last === 'string' && isMap(parent)) {
    const pair = parent.items.find((p) => isPair(p) && isScalar(p.key) && p.key.value === last);
    if (pair !== undefined && isScalar(pair.key)) pair.key.commentBefore = c.text;
    return;
  }
  if (typeof last === 'number' && isSeq(parent)) {
    const node = parent.items[last] as YamlNode | undefined;
    if (node !== undefined) node.commentBefore = c.text;
  }
}

/**
 * The import checks its own work before writing: the manifest validates, and
 * synthesizing it gives a resource for every adopted one. A resource storm would
 * add that the cloud does not have is reported (the first plan would create it).
 */
function checkRoundTrip(conversion: Conversion, text: string, absPath: string, cwd: string): void {
  const file = path.relative(cwd, absPath);
  const result = validateParsed(parseManifest(text, file, absPath), { cwd, templates: [] });
  const errors = result.diagnostics.filter((d) => d.severity === 'error');
  if (result.doc === undefined || errors.length > 0)
    throw new StormError(
      'internal',
      `the imported manifest for ${conversion.manifest.city.name} does not validate; nothing was written`,
      {
        hint: 'this is a bug in storm import: please report it with the findings below',
        diagnostics: result.diagnostics,
      },
    );
  const json = synthesizeResolved(resolveEnvironment(result.doc, conversion.adoption.env));
  const { unmatched } = applyAdoption(json, conversion.adoption.resources, () => false);
  if (unmatched.length > 0)
    throw new StormError(
      'internal',
      `storm import mapped ${unmatched.length} resource(s) to addresses synthesis does not make; nothing was written`,
      {
        hint: `unmatched: ${unmatched.slice(0, 5).join(', ')}`,
      },
    );
  const adopted = new Set(conversion.adoption.resources.map((r) => r.address));
  const resources = (json.resource ?? {}) as Record<string, Record<string, unknown>>;
  for (const [type, items] of Object.entries(resources))
    for (const name of Object.keys(items)) {
      const address = `${type}.${name}`;
      if (!adopted.has(address))
        conversion.findings.push({
          kind: 'plan-adds',
          subject: address,
          message: 'storm makes this resource and the project has no counterpart',
          action: 'the first plan creates it: review, or change the manifest',
        });
    }
}

/**
 * The lists were read one after another while the project lived on: a resource deleted
 * meanwhile must not reach the adoption record (the first plan would fail to import it),
 * so each adopted kind is listed once more and an import that lost something writes nothing.
 */
async function confirmStillThere(
  ctx: LifecycleContext,
  client: OpenStackClient,
  conversion: Conversion,
  concurrency: number,
): Promise<void> {
  const adopted = conversion.adoption.resources.map((r) => ({ ...r, type: r.address.split('.')[0] ?? '' }));
  ctx.progress({ kind: 'step', message: `checking that the ${adopted.length} adopted resources are still there` });
  const gone = await missingResources(client, adopted, { concurrency });
  if (gone.length === 0) return;
  const named = gone.map((g) => {
    const name = typeof g.keep?.name === 'string' ? ` "${g.keep.name}"` : '';
    return `${g.address}${name} (${g.id})`;
  });
  throw new StormError(
    'cloud',
    `${gone.length} resource${gone.length === 1 ? ' was' : 's were'} deleted while storm read the project: ${named.slice(0, 5).join(', ')}${named.length > 5 ? `, … ${named.length - 5} more` : ''}; nothing was written`,
    { hint: 'the project changed during the import: run `storm import` again once it is quiet' },
  );
}

/** Writes every file to a temp name first, then renames them all: all appear, or none. */
function writeBothOrNeither(files: ReadonlyArray<[string, string]>): void {
  const temps: string[] = [];
  try {
    for (const [file, content] of files) {
      fs.mkdirSync(path.dirname(file), { recursive: true });
      const tmp = `${file}.${process.pid}.tmp`;
      fs.writeFileSync(tmp, content, { flag: 'w' });
      temps.push(tmp);
    }
    files.forEach(([file], i) => fs.renameSync(temps[i] ?? '', file));
  } finally {
    for (const t of temps) fs.rmSync(t, { force: true });
  }
}

/** The adoption record of a city, when `storm import` wrote one (untrusted: shape-checked). */
export function readAdoptionRecord(cwd: string, city: string): AdoptionRecord | undefined {
  const file = adoptionFile(cwd, city);
  if (!fs.existsSync(file)) return undefined;
  let doc: unknown;
  try {
    doc = JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch (err) {
    throw new StormError('invalid-manifest', `${path.relative(cwd, file)} is not JSON`, {
      hint: 'restore it from version control, or run `storm import --force` again',
      cause: err,
    });
  }
  const r = doc as Partial<AdoptionRecord>;
  const entriesOk =
    Array.isArray(r.resources) &&
    r.resources.every(
      (e: Partial<AdoptionEntry>) =>
        typeof e.address === 'string' &&
        typeof e.id === 'string' &&
        (e.keep === undefined || (typeof e.keep === 'object' && e.keep !== null && !Array.isArray(e.keep))),
    );
  if (r.schema !== ADOPTION_SCHEMA || typeof r.env !== 'string' || r.city !== city || !entriesOk)
    throw new StormError(
      'invalid-manifest',
      `${path.relative(cwd, file)} is not a ${ADOPTION_SCHEMA} record of city ${city}`,
      {
        hint: 'restore it from version control, or run `storm import --force` again',
      },
    );
  return r as AdoptionRecord;
}

/**
 * The adopted stack: kept attributes always; import blocks only while the state
 * has not taken the resources over (a fresh state, or one that already holds some
 * adopted id after an interrupted first apply). After a destroy the ids are gone
 * and nothing is imported again.
 */
export function adoptInto(
  json: Record<string, unknown>,
  record: AdoptionRecord,
  state: StateSnapshot,
): { json: Record<string, unknown>; imports: string[] } {
  const held = new Set(state.addresses);
  const ids = new Set(state.resources.map((r) => r.id));
  const takingOver = state.resources.length === 0 ? state.serial === 0 : record.resources.some((r) => ids.has(r.id));
  const outcome = applyAdoption(json, record.resources, (address) => takingOver && !held.has(address));
  return { json: outcome.json, imports: outcome.imports };
}

function countryCodes(): string[] {
  const defs = citySchema.$defs as { city?: { properties?: { country?: { enum?: unknown } } } } | undefined;
  const list = defs?.city?.properties?.country?.enum;
  return Array.isArray(list) ? list.filter((c): c is string => typeof c === 'string') : [];
}

function nonEmpty(v: string | undefined): string | undefined {
  return v === undefined || v === '' ? undefined : v;
}
