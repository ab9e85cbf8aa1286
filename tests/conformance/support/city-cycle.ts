/**
 * One city's production stack against a fresh in-process sandbox, through the
 * real engine: storm's synthesis writes main.tf.json into a temp dir, storm's
 * engine bootstrap provides OpenTofu + terraform-provider-openstack, and tofu
 * talks HTTP to the sandbox. Nothing sits between the provider and the
 * sandbox; the sandbox's `onJsonResponse` hook only records what it answered.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ensureSandboxPartnerProjects } from '../../../src/cloud/sandbox-partners';
import { sandboxCredentials } from '../../../src/cloud/sandbox-target';
import type { RecordedResponse } from '../../../src/sandbox/server';
import { synthCity, type SynthCityResult } from '../../../src/synth/synth-city';
import { call, issueToken, sandboxLogin, startTestSandbox, type TestSandbox } from '../../sandbox/helpers';
import { type TofuResult, frontDoorTofuEnv, sandboxTofuEnv, tofu as runTofuIn } from '../../support/tofu';

export const PROJECT_ROOT = join(__dirname, '..', '..', '..');

export type { TofuResult };

export interface CityRun {
  city: string;
  sandbox: TestSandbox;
  synth: SynthCityResult;
  workDir: string;
  recorded: RecordedResponse[];
  tofu(...args: string[]): Promise<TofuResult>;
  close(): Promise<void>;
}

export interface CityRunOptions {
  /** Sandbox fault rules (same syntax as `storm sandbox up --faults`). */
  faults?: string;
  faultSeed?: number;
  /** An existing data dir (a second sandbox over the same state). */
  dataDir?: string;
  workDir?: string;
}

/** Starts a sandbox, creates the city's partner projects in it, synthesizes the city and runs `tofu init`. */
export async function startCityRun(city: string, options: CityRunOptions = {}): Promise<CityRun> {
  const recorded: RecordedResponse[] = [];
  const sandbox = await startTestSandbox({
    statusDelayMs: 50,
    onJsonResponse: (r) => recorded.push(r),
    ...(options.dataDir === undefined ? {} : { dataDir: options.dataDir }),
    ...(options.faults === undefined ? {} : { faults: options.faults }),
    ...(options.faultSeed === undefined ? {} : { faultSeed: options.faultSeed }),
  });
  const workDir = options.workDir ?? mkdtempSync(join(tmpdir(), `storm-conformance-${city}-`));
  const synth = synthCity(city, { cwd: PROJECT_ROOT, env: 'production', outDir: workDir });
  const credentials = sandboxCredentials(
    sandbox.url,
    `${sandbox.url}/identity/v3`,
    sandboxLogin(sandbox, 'admin').password,
  );
  if (options.dataDir === undefined)
    await ensureSandboxPartnerProjects(
      credentials,
      synth.resolved.partners.map((p) => p.project),
    );
  const env = {
    ...sandboxTofuEnv(sandbox.url, sandboxLogin(sandbox, 'admin').password),
    ...frontDoorTofuEnv(synth.resolved, join(PROJECT_ROOT, 'stacks', `${city}.yaml`), workDir),
  };
  const tofu = (...args: string[]): Promise<TofuResult> => runTofuIn(args, { cwd: workDir, env });
  const init = await tofu('init', '-no-color');
  if (init.exitCode !== 0) throw new Error(`tofu init failed in ${workDir}:\n${init.stdout}\n${init.stderr}`);
  return {
    city,
    sandbox,
    synth,
    workDir,
    recorded,
    tofu,
    close: async () => {
      await sandbox.close();
    },
  };
}

export function removeDir(dir: string): void {
  rmSync(dir, { recursive: true, force: true });
}

/** A managed resource in the tofu state. */
export interface StateResource {
  address: string;
  type: string;
  id: string;
  values: Record<string, unknown>;
}

interface ShowModule {
  resources?: Array<{
    address: string;
    mode: string;
    type: string;
    values?: { id?: string } & Record<string, unknown>;
  }>;
  child_modules?: ShowModule[];
}

/** Every managed resource of `tofu show -json`, in state order. */
export function stateResources(showJson: string): StateResource[] {
  const doc = JSON.parse(showJson) as { values?: { root_module?: ShowModule } };
  const out: StateResource[] = [];
  const walk = (m: ShowModule | undefined): void => {
    if (m === undefined) return;
    for (const r of m.resources ?? [])
      if (r.mode === 'managed' && typeof r.values?.id === 'string')
        out.push({ address: r.address, type: r.type, id: r.values.id, values: r.values });
    for (const c of m.child_modules ?? []) walk(c);
  };
  walk(doc.values?.root_module);
  return out;
}

/** The first resource of each type (one of each kind to import). */
export function oneOfEachType(resources: readonly StateResource[]): StateResource[] {
  const seen = new Map<string, StateResource>();
  for (const r of resources) if (!seen.has(r.type)) seen.set(r.type, r);
  return [...seen.values()].sort((a, b) => a.type.localeCompare(b.type));
}

/** What the project holds, per list API: `name id` of each item. */
export type Inventory = Record<string, string[]>;

/** One listed item: the fields the checks need. */
export interface ListedItem {
  id: string;
  name: string;
  /** For ports: the device (server, router, floating IP) that owns it. */
  deviceId?: string;
}

/** What the project holds, per list API, with the fields the checks need. */
export type ProjectLists = Record<string, ListedItem[]>;

/**
 * Lists every kind a stack creates, for the project the stacks run as (admin).
 * Compared with the same lists taken before the apply, so the seed (network
 * `public`, its subnet, its access_as_external RBAC policy, the `default`
 * security group) is what remains.
 */
export async function projectLists(url: string, adminPassword: string): Promise<ProjectLists> {
  const { token, body } = await issueToken(url, 'admin', adminPassword);
  const projectId = body.token.project.id;
  const list = async (path: string, key: string): Promise<Array<Record<string, unknown>>> => {
    const a = await call(`${url}${path}`, { token });
    if (a.status !== 200) throw new Error(`GET ${path}: ${a.status} ${a.text}`);
    const items = (a.json as Record<string, unknown>)[key];
    if (!Array.isArray(items)) throw new Error(`GET ${path}: no "${key}" list in ${a.text.slice(0, 200)}`);
    return items as Array<Record<string, unknown>>;
  };
  const items = (docs: Array<Record<string, unknown>>): ListedItem[] =>
    docs.map((d) => ({
      id: String(d.id),
      name: typeof d.name === 'string' ? d.name : '',
      ...(typeof d.device_id === 'string' && d.device_id !== '' ? { deviceId: d.device_id } : {}),
    }));
  const q = `project_id=${projectId}`;
  const containers = await call(`${url}/object-store/v1/AUTH_${projectId}?format=json`, { token });
  if (containers.status !== 200 && containers.status !== 204)
    throw new Error(`container list: ${containers.status} ${containers.text}`);
  const keypairs = (await list('/compute/v2.1/os-keypairs', 'keypairs')).map(
    (k) => (k.keypair as { name: string }).name,
  );
  return {
    networks: items(await list(`/networking/v2.0/networks?${q}`, 'networks')),
    subnets: items(await list(`/networking/v2.0/subnets?${q}`, 'subnets')),
    routers: items(await list(`/networking/v2.0/routers?${q}`, 'routers')),
    ports: items(await list(`/networking/v2.0/ports?${q}`, 'ports')),
    security_groups: items(await list(`/networking/v2.0/security-groups?${q}`, 'security_groups')),
    floatingips: items(await list(`/networking/v2.0/floatingips?${q}`, 'floatingips')),
    rbac_policies: items(await list(`/networking/v2.0/rbac-policies?${q}`, 'rbac_policies')),
    servers: items(await list('/compute/v2.1/servers', 'servers')),
    keypairs: keypairs.map((name) => ({ id: name, name })),
    server_groups: items(await list('/compute/v2.1/os-server-groups', 'server_groups')),
    volumes: items(await list(`/volume/v3/${projectId}/volumes`, 'volumes')),
    containers: ((containers.json as Array<{ name: string }> | undefined) ?? []).map((c) => ({
      id: c.name,
      name: c.name,
    })),
  };
}

/** `name id` of each item, per kind. */
export async function projectInventory(url: string, adminPassword: string): Promise<Inventory> {
  const lists = await projectLists(url, adminPassword);
  return Object.fromEntries(
    Object.entries(lists).map(([kind, items]) => [kind, items.map((i) => `${i.name} ${i.id}`.trim())]),
  );
}

/**
 * Items the cloud holds that neither the seed (`baseline`) nor the tofu state
 * accounts for: an id (a name for key pairs and containers) that appears
 * nowhere in the state's values, nor (for ports) the device owning it.
 */
export function untracked(baseline: ProjectLists, now: ProjectLists, stateJson: string): Inventory {
  const known = new Set<string>();
  const walk = (v: unknown): void => {
    if (typeof v === 'string') known.add(v);
    else if (Array.isArray(v)) v.forEach(walk);
    else if (v !== null && typeof v === 'object') Object.values(v).forEach(walk);
  };
  walk(JSON.parse(stateJson));
  const out: Inventory = {};
  for (const [kind, items] of Object.entries(now)) {
    const seeded = new Set((baseline[kind] ?? []).map((i) => i.id));
    const loose = items.filter(
      (i) => !seeded.has(i.id) && !known.has(i.id) && !(i.deviceId !== undefined && known.has(i.deviceId)),
    );
    if (loose.length > 0) out[kind] = loose.map((i) => `${i.name} ${i.id}`.trim());
  }
  return out;
}

/** What `now` holds that `baseline` did not, per kind (kinds without any left out). */
export function inventoryAdded(baseline: Inventory, now: Inventory): Inventory {
  const out: Inventory = {};
  for (const [kind, items] of Object.entries(now)) {
    const before = new Set(baseline[kind] ?? []);
    const added = items.filter((i) => !before.has(i));
    if (added.length > 0) out[kind] = added;
  }
  return out;
}

/**
 * Attributes terraform-provider-openstack 3.4.0 never reads from the cloud: it
 * keeps what the configuration said, so after `tofu import` they are empty on
 * any cloud, real or not (the plan then wants to set them, and for
 * delete_default_rules and an instance's network port, to replace). Everything
 * else an import reads must equal what the applied resource holds.
 */
export const NOT_READ_BACK: ReadonlyArray<{ type: string; attribute: string; reason: string }> = [
  {
    type: '*',
    attribute: 'tags',
    reason:
      'Read sets all_tags from the API and keeps in tags only the tags already in state (expandObjectReadTags); all_tags is compared',
  },
  {
    type: 'openstack_compute_instance_v2',
    attribute: 'force_delete',
    reason: 'delete behaviour flag, configuration only',
  },
  {
    type: 'openstack_compute_instance_v2',
    attribute: 'stop_before_destroy',
    reason: 'delete behaviour flag, configuration only',
  },
  {
    type: 'openstack_compute_instance_v2',
    attribute: 'network[].port',
    reason:
      'flattenInstanceNetworks copies port from the configuration, never from the server; the other network fields are compared',
  },
  {
    type: 'openstack_compute_instance_v2',
    attribute: 'scheduler_hints',
    reason: 'Nova does not show the hints a server was booted with; the provider never sets them in Read',
  },
  {
    type: 'openstack_compute_instance_v2',
    attribute: 'user_data',
    reason: 'the provider never sets user_data in Read (it stores a hash of the configuration)',
  },
  {
    type: 'openstack_compute_keypair_v2',
    attribute: 'private_key',
    reason: 'Nova shows a private key only in the create answer',
  },
  {
    type: 'openstack_compute_keypair_v2',
    attribute: 'user_id',
    reason: 'a lookup parameter for admins, configuration only',
  },
  {
    type: 'openstack_networking_port_v2',
    attribute: 'fixed_ip',
    reason: 'Read sets all_fixed_ips (compared), fixed_ip is the requested allocation',
  },
  {
    type: 'openstack_networking_port_v2',
    attribute: 'security_group_ids',
    reason: 'Read sets all_security_group_ids (compared), security_group_ids is the request',
  },
  {
    type: 'openstack_networking_router_interface_v2',
    attribute: 'force_destroy',
    reason: 'delete behaviour flag, configuration only',
  },
  {
    type: 'openstack_networking_secgroup_v2',
    attribute: 'delete_default_rules',
    reason: 'create behaviour flag, configuration only',
  },
  {
    type: 'openstack_objectstorage_container_v1',
    attribute: 'force_destroy',
    reason: 'delete behaviour flag, configuration only',
  },
  {
    type: 'openstack_objectstorage_container_v1',
    attribute: 'metadata',
    reason: 'the container Read never sets metadata',
  },
];

function withoutUnread(type: string, values: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = { ...values };
  for (const x of NOT_READ_BACK) {
    if (x.type !== '*' && x.type !== type) continue;
    const m = /^(\w+)\[\]\.(\w+)$/.exec(x.attribute);
    if (m?.[1] !== undefined && m[2] !== undefined) {
      const [list, field] = [m[1], m[2]];
      const items = out[list];
      if (Array.isArray(items))
        out[list] = items.map((i: unknown) =>
          i !== null && typeof i === 'object' ? { ...(i as Record<string, unknown>), [field]: null } : i,
        );
    } else {
      delete out[x.attribute];
    }
  }
  return out;
}

/** Attributes (outside NOT_READ_BACK) whose values differ between the applied and the imported resource. */
export function importDifferences(
  type: string,
  applied: Record<string, unknown>,
  imported: Record<string, unknown>,
): string[] {
  const a = withoutUnread(type, applied);
  const b = withoutUnread(type, imported);
  const keys = [...new Set([...Object.keys(a), ...Object.keys(b)])].sort();
  // A flag the configuration left at its default reads back as null.
  const norm = (v: unknown): string => JSON.stringify(v === false || v === '' ? null : (v ?? null));
  return keys
    .filter((k) => norm(a[k]) !== norm(b[k]))
    .map((k) => `${k}: ${JSON.stringify(a[k])} → ${JSON.stringify(b[k])}`);
}

/** A create the provider made in the cloud but did not record in the state. */
export interface UnrecordedCreate {
  address: string;
  type: string;
  /** The id the error names: the resource's, or for a router interface the router's, for a volume attachment the server's. */
  id: string;
}

/**
 * terraform-provider-openstack 3.4.0 returns "Error waiting for <type> <id> to
 * become available" (networks, subnets, routers, ports, floating IPs, router
 * interfaces) and "Error attaching openstack_compute_volume_attach_v2
 * <server id>" without recording the id when the GET it waits with fails after
 * a successful create: on any cloud that resource is then unknown to the
 * state. tofu names the address on the `with <address>,` line of the block.
 */
export function unrecordedCreates(stderr: string): UnrecordedCreate[] {
  const out: UnrecordedCreate[] = [];
  for (const block of stderr.split(/^(?=Error: )/m)) {
    const m =
      /^Error: Error waiting for (openstack_\w+) ([0-9a-f-]{36}) to become available/.exec(block) ??
      /^Error: Error attaching (openstack_compute_volume_attach_v2) ([0-9a-f-]{36}):/.exec(block);
    const w = /^\s+with ([^,\s]+),/m.exec(block);
    if (m?.[1] !== undefined && m[2] !== undefined && w?.[1] !== undefined)
      out.push({ address: w[1], type: m[1], id: m[2] });
  }
  return out;
}

async function retried<T>(attempts: number, fn: () => Promise<T | undefined>): Promise<T | undefined> {
  for (let i = 0; i < attempts; i += 1) {
    const v = await fn();
    if (v !== undefined) return v;
  }
  return undefined;
}

/** The one item of a listing the state does not know, if exactly one. */
async function theUnknownOne(
  run: CityRun,
  path: string,
  key: string,
  idOf: (item: { id: string }) => string,
): Promise<string | undefined> {
  const { token } = await issueToken(run.sandbox.url, 'admin', sandboxLogin(run.sandbox, 'admin').password);
  const a = await call(`${run.sandbox.url}${path}`, { token });
  if (a.status !== 200) return undefined;
  const show = await run.tofu('show', '-json');
  if (show.exitCode !== 0) return undefined;
  const known = new Set(stateResources(show.stdout).map((r) => r.id));
  const unknown = (((a.json as Record<string, unknown>)[key] as Array<{ id: string }> | undefined) ?? [])
    .map(idOf)
    .filter((id) => !known.has(id));
  return unknown.length === 1 ? unknown[0] : undefined;
}

/** The id in the state of the resource that `address`'s `attribute` refers to in the synthesized config (`${type.name.id}`). */
async function referencedId(run: CityRun, address: string, attribute: string): Promise<string | undefined> {
  const [type, name] = address.split('.');
  const resources = (run.synth.json as { resource?: Record<string, Record<string, Record<string, unknown>>> }).resource;
  const expr = type === undefined || name === undefined ? undefined : resources?.[type]?.[name]?.[attribute];
  const m = typeof expr === 'string' ? /^\$\{([\w]+\.[\w]+)\.id\}$/.exec(expr) : null;
  if (m?.[1] === undefined) return undefined;
  const show = await run.tofu('show', '-json');
  return show.exitCode === 0 ? stateResources(show.stdout).find((r) => r.address === m[1])?.id : undefined;
}

/** Where adoptions wait for the next apply (tofu `import` blocks). */
const ADOPT_FILE = 'adopt.tf.json';

/**
 * Adopts each unrecorded create into its address, as an operator (or storm's
 * recovery) must before the next apply, or the next apply makes a second one
 * or is refused. `tofu import` cannot run on a half-applied state (the config
 * interpolates attributes of resources not created yet), so each adoption is an
 * `import` block the next apply carries out; `settleAdoptions` drops the blocks
 * done. A router interface is adopted by its port (the router's one interface
 * port the state does not know), a volume attachment by `<server>/<volume>`
 * (the server's one attachment the state does not know). Lookups retry, since
 * the cloud may still be faulty. Returns one line per create.
 */
export async function adoptUnrecorded(run: CityRun, creates: readonly UnrecordedCreate[]): Promise<string[]> {
  const lines: string[] = [];
  const blocks = pendingAdoptions(run);
  for (const c of creates) {
    const id = await retried(5, async () => {
      switch (c.type) {
        case 'openstack_networking_router_interface_v2': {
          // The interface's subnet, when the state knows it, tells two unrecorded interfaces apart.
          const subnet = await referencedId(run, c.address, 'subnet_id');
          const query = `device_id=${c.id}&device_owner=network:router_interface${subnet === undefined ? '' : `&fixed_ips=subnet_id%3D${subnet}`}`;
          return theUnknownOne(run, `/networking/v2.0/ports?${query}`, 'ports', (p) => p.id);
        }
        case 'openstack_compute_volume_attach_v2':
          return theUnknownOne(
            run,
            `/compute/v2.1/servers/${c.id}/os-volume_attachments`,
            'volumeAttachments',
            (v) => `${c.id}/${v.id}`,
          );
        default:
          return c.id;
      }
    });
    if (id === undefined) {
      lines.push(`${c.address}: NOT FOUND (${c.type} ${c.id})`);
      continue;
    }
    blocks.push({ to: c.address, id });
    lines.push(`${c.address} ${id}`);
  }
  if (blocks.length > 0) writeFileSync(join(run.workDir, ADOPT_FILE), JSON.stringify({ import: blocks }, null, 2));
  return lines;
}

function pendingAdoptions(run: CityRun): Array<{ to: string; id: string }> {
  const file = join(run.workDir, ADOPT_FILE);
  return existsSync(file)
    ? (JSON.parse(readFileSync(file, 'utf8')) as { import: Array<{ to: string; id: string }> }).import
    : [];
}

/** Drops the import blocks an apply carried out (their address holds that id now). */
export async function settleAdoptions(run: CityRun): Promise<void> {
  const blocks = pendingAdoptions(run);
  if (blocks.length === 0) return;
  const show = await run.tofu('show', '-json');
  if (show.exitCode !== 0) return;
  const inState = new Set(stateResources(show.stdout).map((r) => `${r.address} ${r.id}`));
  const left = blocks.filter((b) => !inState.has(`${b.to} ${b.id}`));
  const file = join(run.workDir, ADOPT_FILE);
  if (left.length === 0) rmSync(file, { force: true });
  else writeFileSync(file, JSON.stringify({ import: left }, null, 2));
}

interface PlannedChange {
  address: string;
  type: string;
  change: {
    actions: string[];
    before: Record<string, unknown> | null;
    after: Record<string, unknown> | null;
    after_unknown?: Record<string, unknown>;
    replace_paths?: unknown[][];
  };
}

/** Whether `attribute` of `type` is one the provider never reads back (a list-item field counts for its list). */
function notReadBack(type: string, attribute: string): boolean {
  return NOT_READ_BACK.some(
    (x) =>
      (x.type === '*' || x.type === type) && (x.attribute === attribute || x.attribute.startsWith(`${attribute}[].`)),
  );
}

/**
 * Checks a plan made right after importing `imported` (the JSON of `tofu show
 * -json <planfile>`): every change it wants must come from NOT_READ_BACK —
 * on an imported resource only those attributes (or values left unknown by
 * an upstream replacement) may change or force a replacement; any other
 * resource may only change values that become unknown because of them.
 * Returns what else the plan wants, one line per attribute.
 */
export function unexplainedImportChanges(planJson: string, imported: ReadonlySet<string>): string[] {
  const plan = JSON.parse(planJson) as { resource_changes?: PlannedChange[] };
  const out: string[] = [];
  for (const rc of plan.resource_changes ?? []) {
    const { actions, before, after, after_unknown: unknown = {}, replace_paths: replacePaths = [] } = rc.change;
    if (actions.length === 1 && (actions[0] === 'no-op' || actions[0] === 'read')) continue;
    const b = before ?? {};
    const a = after ?? {};
    const isImported = imported.has(rc.address);
    const explained = (attr: string): boolean =>
      unknown[attr] !== undefined || (isImported && notReadBack(rc.type, attr));
    for (const path of replacePaths) {
      const attr = String(path[0]);
      if (!explained(attr)) out.push(`${rc.address}: ${attr} forces replacement`);
    }
    if (actions.includes('update') || actions.includes('create')) {
      for (const k of new Set([...Object.keys(b), ...Object.keys(a)])) {
        if (JSON.stringify(b[k] ?? null) === JSON.stringify(a[k] ?? null)) continue;
        if (!explained(k) && !(a[k] === null && actions.includes('create')))
          out.push(`${rc.address}: ${k} ${JSON.stringify(b[k])} → ${JSON.stringify(a[k])}`);
      }
    }
  }
  return out.sort();
}
