/**
 * After an apply that stopped early: a create the provider had already sent but
 * was still waiting on (a router becoming ACTIVE, a server booting) is cancelled
 * by an interruption, or fails on an error while waiting (a 503 on the status
 * check), before tofu records it — leaving a resource in the cloud that no state knows.
 * storm finds each such resource by what the config says of it (its name, the
 * router's port on a subnet, the server's attachment of a volume) and imports it,
 * so the next run continues instead of creating a duplicate or being refused.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { CloudCredentials } from '../cloud/credentials';
import { OpenStackClient } from '../cloud/openstack-client';
import type { StackRun } from '../engine/plan';
import { label, readState, tofu } from '../engine/plan';

interface Finder {
  service: readonly string[];
  /** Path listing the candidates for this config body (undefined: cannot tell). */
  list: (body: Record<string, unknown>, ref: (expr: unknown) => string | undefined) => string | undefined;
  key: string;
  /** Whether an answered item is the resource this body describes. */
  matches: (
    item: Record<string, unknown>,
    body: Record<string, unknown>,
    ref: (expr: unknown) => string | undefined,
  ) => boolean;
  /** The import ID of an item (its id, or its name for key pairs). */
  idOf?: (item: Record<string, unknown>) => string | undefined;
}

const NETWORK = ['network'];
const COMPUTE = ['compute'];
const VOLUME = ['block-storage', 'volumev3', 'volume'];

const q = (v: unknown): string => encodeURIComponent(String(v));
const byName = (service: readonly string[], path: string, key: string): Finder => ({
  service,
  list: (b) => (typeof b.name === 'string' ? `${path}?name=${q(b.name)}` : undefined),
  key,
  matches: (item, b) => item.name === b.name,
});
const same = (a: unknown, b: unknown): boolean => (a ?? null) === (b ?? null) || (a ?? '') === (b ?? '');

/** Resource types whose create can be cut short and leave a resource behind, and how to find it. */
const FINDERS: Record<string, Finder> = {
  openstack_networking_network_v2: byName(NETWORK, '/v2.0/networks', 'networks'),
  openstack_networking_subnet_v2: byName(NETWORK, '/v2.0/subnets', 'subnets'),
  openstack_networking_router_v2: byName(NETWORK, '/v2.0/routers', 'routers'),
  openstack_networking_port_v2: byName(NETWORK, '/v2.0/ports', 'ports'),
  openstack_networking_secgroup_v2: byName(NETWORK, '/v2.0/security-groups', 'security_groups'),
  openstack_compute_instance_v2: byName(COMPUTE, '/servers', 'servers'),
  openstack_blockstorage_volume_v3: byName(VOLUME, '/volumes', 'volumes'),
  openstack_compute_servergroup_v2: {
    service: COMPUTE,
    list: () => '/os-server-groups',
    key: 'server_groups',
    matches: (item, b) => item.name === b.name,
  },
  openstack_compute_keypair_v2: {
    service: COMPUTE,
    list: () => '/os-keypairs',
    key: 'keypairs',
    matches: (item, b) => isRecord(item.keypair) && item.keypair.name === b.name,
    idOf: (item) => (isRecord(item.keypair) && typeof item.keypair.name === 'string' ? item.keypair.name : undefined),
  },
  openstack_networking_floatingip_v2: {
    service: NETWORK,
    list: (b) =>
      typeof b.description === 'string' && b.description !== ''
        ? `/v2.0/floatingips?description=${q(b.description)}`
        : undefined,
    key: 'floatingips',
    matches: (item, b) => item.description === b.description,
  },
  // The interface is the router's port on the subnet; its import ID is the port's.
  openstack_networking_router_interface_v2: {
    service: NETWORK,
    list: (b, ref) => {
      const router = ref(b.router_id);
      return router === undefined ? undefined : `/v2.0/ports?device_id=${q(router)}`;
    },
    key: 'ports',
    matches: (item, b, ref) =>
      String(item.device_owner ?? '').startsWith('network:router_interface') &&
      (b.port_id !== undefined
        ? item.id === ref(b.port_id)
        : Array.isArray(item.fixed_ips) &&
          item.fixed_ips.some((ip) => isRecord(ip) && ip.subnet_id === ref(b.subnet_id))),
  },
  // Nova names an attachment by its volume; the provider's import ID is "<server>/<attachment>".
  openstack_compute_volume_attach_v2: {
    service: COMPUTE,
    list: (b, ref) => {
      const server = ref(b.instance_id);
      return server === undefined ? undefined : `/servers/${q(server)}/os-volume_attachments`;
    },
    key: 'volumeAttachments',
    matches: (item, b, ref) => item.volumeId === ref(b.volume_id),
    idOf: (item) =>
      typeof item.serverId === 'string' && typeof item.id === 'string' ? `${item.serverId}/${item.id}` : undefined,
  },
  openstack_networking_secgroup_rule_v2: {
    service: NETWORK,
    list: (b, ref) => {
      const group = ref(b.security_group_id);
      return group === undefined ? undefined : `/v2.0/security-group-rules?security_group_id=${q(group)}`;
    },
    key: 'security_group_rules',
    matches: (item, b, ref) =>
      same(item.direction, b.direction) &&
      same(item.ethertype, b.ethertype ?? 'IPv4') &&
      same(item.protocol, b.protocol) &&
      same(item.port_range_min, b.port_range_min) &&
      same(item.port_range_max, b.port_range_max) &&
      same(item.remote_ip_prefix, b.remote_ip_prefix) &&
      same(item.remote_group_id, b.remote_group_id === undefined ? undefined : ref(b.remote_group_id)),
  },
};

export interface Adoption {
  address: string;
  id: string;
}

/**
 * `interruptedCreates` are the addresses tofu had started creating but not
 * finished. Returns what was imported; anything it cannot tell for sure is left alone.
 */
export async function adoptInterruptedCreates(
  run: StackRun,
  credentials: CloudCredentials,
  terraformJson: unknown,
  interruptedCreates: readonly string[],
): Promise<Adoption[]> {
  if (interruptedCreates.length === 0) return [];
  const state = await readState(run);
  const known = new Set(state.resources.map((r) => r.id).filter((id): id is string => id !== undefined));
  const inState = new Set(state.addresses);
  const idOfAddress = new Map(state.resources.map((r) => [r.address, r.id]));
  // `${type.name.id}` in the config → that resource's id in the state.
  const ref = (expr: unknown): string | undefined => {
    if (typeof expr !== 'string') return undefined;
    const m = /^\$\{([a-z0-9_]+\.[A-Za-z0-9_-]+)\.id\}$/.exec(expr);
    return m === null ? expr : idOfAddress.get(m[1] ?? '');
  };
  // In FINDERS order (what others refer to first), so a resource adopted here can be
  // referred to by the next one (a router, then its interface).
  const order = Object.keys(FINDERS);
  const rank = (address: string): number => order.indexOf(address.split('.')[0] ?? '');
  const candidates = interruptedCreates
    .filter((a) => !inState.has(a))
    .flatMap((address) => {
      const body = resourceBody(terraformJson, address);
      const finder = FINDERS[address.split('.')[0] ?? ''];
      return body !== undefined && finder !== undefined ? [{ address, body, finder }] : [];
    })
    .sort((a, b) => rank(a.address) - rank(b.address) || a.address.localeCompare(b.address));
  if (candidates.length === 0) return [];
  const client = await OpenStackClient.authenticate(credentials);
  const adopted: Adoption[] = [];
  // `tofu import` evaluates the outputs too, and a half-created resource in the state
  // (a floating IP tainted before its address was read) makes an output template such
  // as "http://${...address}:8080" fail ("Invalid template interpolation value"). The
  // outputs play no part in an import, so they are blanked while it runs.
  const blankOutputs = path.join(run.ws.dir, ADOPT_OVERRIDE_FILE);
  fs.writeFileSync(blankOutputs, outputsBlanked(terraformJson));
  try {
    await importEach();
  } finally {
    fs.rmSync(blankOutputs, { force: true });
  }
  return adopted;

  async function importEach(): Promise<void> {
    for (const c of candidates) {
      const listPath = c.finder.list(c.body, ref);
      if (listPath === undefined) continue;
      const answer = await client.get(c.finder.service, listPath);
      const list = isRecord(answer) ? answer[c.finder.key] : undefined;
      const ids = (Array.isArray(list) ? list : [])
        .filter((x): x is Record<string, unknown> => isRecord(x) && c.finder.matches(x, c.body, ref))
        .map((x) => (c.finder.idOf === undefined ? (typeof x.id === 'string' ? x.id : undefined) : c.finder.idOf(x)))
        .filter((id): id is string => id !== undefined && !known.has(id));
      // Only an unambiguous match is adopted: two unknown resources of that name need a person.
      if (ids.length !== 1 || ids[0] === undefined) continue;
      run.progress({
        kind: 'step',
        message: `${label(run)}: adopting ${c.address} (${ids[0]}), created in the cloud before the run stopped`,
      });
      const res = await tofu(run, ['import', `-lock-timeout=${run.lockTimeout}`, '-no-color', c.address, ids[0]]);
      if (res.exitCode === 0) {
        adopted.push({ address: c.address, id: ids[0] });
        known.add(ids[0]);
        idOfAddress.set(c.address, ids[0]);
      } else {
        run.progress({
          kind: 'warning',
          message: `${label(run)}: could not import ${c.address} (${ids[0]}): ${
            res.stderr
              .trim()
              .split('\n')
              .find((l) => l.trim() !== '') ?? `exit ${res.exitCode}`
          }`,
        });
      }
    }
  }
}

/** An override file (tofu merges `*_override.tf.json` last) present only while storm imports. */
const ADOPT_OVERRIDE_FILE = 'storm_adopt_override.tf.json';

/** Every output of the config with its value replaced by null. */
function outputsBlanked(terraformJson: unknown): string {
  const outputs =
    isRecord(terraformJson) && isRecord(terraformJson.output) ? Object.keys(terraformJson.output).sort() : [];
  const doc = {
    '//': 'written by storm while it imports half-created resources; removed right after',
    ...(outputs.length === 0 ? {} : { output: Object.fromEntries(outputs.map((name) => [name, { value: null }])) }),
  };
  return `${JSON.stringify(doc, null, 2)}\n`;
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function resourceBody(terraformJson: unknown, address: string): Record<string, unknown> | undefined {
  const m = /^([a-z0-9_]+)\.([A-Za-z0-9_-]+)(?:\[(\d+)\])?$/.exec(address);
  if (m === null) return undefined;
  const doc = terraformJson as { resource?: Record<string, Record<string, Record<string, unknown>>> };
  return doc.resource?.[m[1] ?? '']?.[m[2] ?? ''];
}
