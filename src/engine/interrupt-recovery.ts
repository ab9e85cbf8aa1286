/**
 * After an interrupted apply: a create the provider had already sent but was
 * still waiting on (a router becoming ACTIVE, a server booting) is cancelled
 * before tofu records it, leaving a resource in the cloud that no state knows.
 * storm finds each such resource by the name the config gave it and imports it,
 * so the next run continues instead of creating a duplicate.
 */
import type { CloudCredentials } from '../cloud/credentials';
import { OpenStackClient } from '../cloud/openstack-client';
import type { StackRun } from './plan';
import { label, readState, tofu } from './plan';

interface Finder {
  service: readonly string[];
  /** Path listing candidates by name, and the collection key in the answer. */
  list: (name: string) => string;
  key: string;
}

const NETWORK = ['network'];
const COMPUTE = ['compute'];
const VOLUME = ['block-storage', 'volumev3', 'volume'];

/** Resource types whose create can be cancelled mid-way, found by name. */
const FINDERS: Record<string, Finder> = {
  openstack_networking_network_v2: { service: NETWORK, list: (n) => `/v2.0/networks?name=${encodeURIComponent(n)}`, key: 'networks' },
  openstack_networking_subnet_v2: { service: NETWORK, list: (n) => `/v2.0/subnets?name=${encodeURIComponent(n)}`, key: 'subnets' },
  openstack_networking_router_v2: { service: NETWORK, list: (n) => `/v2.0/routers?name=${encodeURIComponent(n)}`, key: 'routers' },
  openstack_networking_port_v2: { service: NETWORK, list: (n) => `/v2.0/ports?name=${encodeURIComponent(n)}`, key: 'ports' },
  openstack_networking_secgroup_v2: { service: NETWORK, list: (n) => `/v2.0/security-groups?name=${encodeURIComponent(n)}`, key: 'security_groups' },
  openstack_compute_instance_v2: { service: COMPUTE, list: (n) => `/servers?name=${encodeURIComponent(n)}`, key: 'servers' },
  openstack_blockstorage_volume_v3: { service: VOLUME, list: (n) => `/volumes?name=${encodeURIComponent(n)}`, key: 'volumes' },
};

export interface Adoption {
  address: string;
  id: string;
}

/**
 * `interruptedCreates` are the addresses tofu had started creating but not
 * finished. Returns what was imported; anything it cannot tell for sure is left alone.
 */
export async function adoptInterruptedCreates(run: StackRun, credentials: CloudCredentials, terraformJson: unknown, interruptedCreates: readonly string[]): Promise<Adoption[]> {
  if (interruptedCreates.length === 0) return [];
  const state = await readState(run);
  const known = new Set(state.resources.map((r) => r.id).filter((id): id is string => id !== undefined));
  const inState = new Set(state.addresses);
  const candidates = interruptedCreates.filter((a) => !inState.has(a)).flatMap((address) => {
    const body = resourceBody(terraformJson, address);
    const type = address.split('.')[0] ?? '';
    const finder = FINDERS[type];
    return finder !== undefined && typeof body?.name === 'string' ? [{ address, name: body.name, finder }] : [];
  });
  if (candidates.length === 0) return [];
  const client = await OpenStackClient.authenticate(credentials);
  const adopted: Adoption[] = [];
  for (const c of candidates) {
    const answer = await client.get(c.finder.service, c.finder.list(c.name));
    const list = (answer as Record<string, unknown>)[c.finder.key];
    const ids = (Array.isArray(list) ? list : [])
      .filter((x): x is Record<string, unknown> => typeof x === 'object' && x !== null && x.name === c.name && typeof x.id === 'string')
      .map((x) => String(x.id))
      .filter((id) => !known.has(id));
    // Only an unambiguous match is adopted: two unknown resources of that name need a person.
    if (ids.length !== 1 || ids[0] === undefined) continue;
    run.progress({ kind: 'step', message: `${label(run)}: adopting ${c.address} (${ids[0]}), created in the cloud before the interruption` });
    const res = await tofu(run, ['import', `-lock-timeout=${run.lockTimeout}`, '-no-color', c.address, ids[0]]);
    if (res.exitCode === 0) {
      adopted.push({ address: c.address, id: ids[0] });
      known.add(ids[0]);
    } else {
      run.progress({ kind: 'warning', message: `${label(run)}: could not import ${c.address} (${ids[0]}): ${res.stderr.trim().split('\n').find((l) => l.trim() !== '') ?? `exit ${res.exitCode}`}` });
    }
  }
  return adopted;
}

function resourceBody(terraformJson: unknown, address: string): Record<string, unknown> | undefined {
  const m = /^([a-z0-9_]+)\.([A-Za-z0-9_-]+)(?:\[(\d+)\])?$/.exec(address);
  if (m === null) return undefined;
  const doc = terraformJson as { resource?: Record<string, Record<string, Record<string, unknown>>> };
  return doc.resource?.[m[1] ?? '']?.[m[2] ?? ''];
}
