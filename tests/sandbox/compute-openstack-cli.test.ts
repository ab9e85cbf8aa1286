import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSandbox } from '../../src/sandbox/server.js';
import { clientEnv, clientOutput } from '../support/openstack-client';

/**
 * The standard client (Debian's python3-openstackclient) against the sandbox's
 * Nova and Cinder: list/show every kind, create and delete a server and a volume;
 * then the legacy nova/cinder clients installed with it.
 */
let sandbox: Awaited<ReturnType<typeof createSandbox>>;
let dataDir: string;
let env: NodeJS.ProcessEnv;

function openstack(...args: string[]): Promise<string> {
  return clientOutput('openstack', args, env);
}

function legacy(client: 'nova' | 'cinder', ...args: string[]): Promise<string> {
  return clientOutput(client, args, env);
}

async function json<T = Record<string, unknown>[]>(...args: string[]): Promise<T> {
  return JSON.parse(await openstack(...args, '-f', 'json')) as T;
}

async function until<T>(probe: () => Promise<T>, done: (v: T) => boolean): Promise<T> {
  for (let i = 0; i < 100; i++) {
    const v = await probe();
    if (done(v)) return v;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error('condition not reached');
}

beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'storm-compute-cli-'));
  sandbox = await createSandbox({ port: 0, dataDir, statusDelayMs: 200 });
  env = clientEnv(sandbox.url, { username: 'demo', password: sandbox.logins.demo, project: 'demo' }, dataDir);
});

afterAll(async () => {
  await sandbox?.close();
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
});

describe('openstack CLI against the sandbox Nova and Cinder', () => {
  it('lists flavors, availability zones, volume types; manages keypairs and server groups', async () => {
    const flavors = await json<{ Name: string; VCPUs: number }[]>('flavor', 'list');
    expect(flavors.map((f) => f.Name)).toEqual(['m1.tiny', 'm1.small', 'm1.medium', 'm1.large', 'm1.xlarge']);
    expect((await json<Record<string, unknown>>('flavor', 'show', 'm1.large')).vcpus).toBe(4);
    const zones = await json<{ 'Zone Name': string }[]>('availability', 'zone', 'list', '--compute');
    expect(zones.map((z) => z['Zone Name'])).toEqual(['nova']);
    const types = await json<{ Name: string }[]>('volume', 'type', 'list');
    expect(types.map((t) => t.Name)).toEqual(['standard', 'encrypted']);

    const privateKey = await openstack('keypair', 'create', 'cli-key');
    expect(privateKey).toMatch(/BEGIN RSA PRIVATE KEY/);
    expect((await json<{ Name: string }[]>('keypair', 'list')).map((k) => k.Name)).toEqual(['cli-key']);
    expect((await json<Record<string, unknown>>('keypair', 'show', 'cli-key')).name).toBe('cli-key');
    const group = await json<Record<string, unknown>>(
      'server',
      'group',
      'create',
      '--policy',
      'anti-affinity',
      'cli-group',
    );
    expect(group).toMatchObject({ name: 'cli-group', policy: 'anti-affinity' });
    expect((await json<{ Name: string }[]>('server', 'group', 'list')).map((g) => g.Name)).toEqual(['cli-group']);
    expect((await json<Record<string, unknown>>('server', 'group', 'show', 'cli-group')).id).toBe(group.id);
    const limits = await json<{ Name: string; Value: number }[]>('limits', 'show', '--absolute');
    expect(limits.find((l) => l.Name === 'maxTotalCores')?.Value).toBe(20);
  });

  it('creates, lists, shows and deletes a server and a volume, attaching one to the other', async () => {
    await openstack('network', 'create', 'cli-net');
    await openstack('subnet', 'create', '--network', 'cli-net', '--subnet-range', '10.88.0.0/24', 'cli-sub');
    const created = await json<Record<string, unknown>>(
      'server',
      'create',
      '--flavor',
      'm1.tiny',
      '--image',
      'cirros-0.6',
      '--network',
      'cli-net',
      '--key-name',
      'cli-key',
      '--property',
      'role=cli',
      '--hint',
      'group=' + String((await json<Record<string, unknown>>('server', 'group', 'show', 'cli-group')).id),
      '--wait',
      'cli-vm',
    );
    expect(created).toMatchObject({ name: 'cli-vm', status: 'ACTIVE', key_name: 'cli-key' });
    const servers = await json<{ Name: string; Status: string; Networks: unknown }[]>('server', 'list');
    expect(servers).toHaveLength(1);
    expect(servers[0]).toMatchObject({ Name: 'cli-vm', Status: 'ACTIVE' });
    expect(JSON.stringify(servers[0]?.Networks)).toMatch(/10\.88\.0\.\d+/);
    const shown = await json<Record<string, unknown>>('server', 'show', 'cli-vm');
    expect(shown).toMatchObject({ 'OS-EXT-STS:vm_state': 'active', flavor: expect.stringContaining('m1.tiny') });

    const volume = await json<Record<string, unknown>>('volume', 'create', '--size', '1', 'cli-vol');
    expect(volume).toMatchObject({ name: 'cli-vol', size: 1 });
    await until(
      () => json<Record<string, unknown>>('volume', 'show', 'cli-vol'),
      (v) => v.status === 'available',
    );
    expect((await json<{ Name: string }[]>('volume', 'list')).map((v) => v.Name)).toEqual(['cli-vol']);
    await openstack('server', 'add', 'volume', 'cli-vm', 'cli-vol');
    await until(
      () => json<Record<string, unknown>>('volume', 'show', 'cli-vol'),
      (v) => v.status === 'in-use',
    );
    await expect(openstack('volume', 'delete', 'cli-vol')).rejects.toThrow(/Invalid volume/);
    await openstack('server', 'remove', 'volume', 'cli-vm', 'cli-vol');
    await until(
      () => json<Record<string, unknown>>('volume', 'show', 'cli-vol'),
      (v) => v.status === 'available',
    );
    await openstack('volume', 'delete', 'cli-vol');
    await until(
      () => json<unknown[]>('volume', 'list'),
      (l) => l.length === 0,
    );

    await openstack('server', 'delete', '--wait', 'cli-vm');
    expect(await json('server', 'list')).toEqual([]);
    await openstack('server', 'group', 'delete', 'cli-group');
    await openstack('keypair', 'delete', 'cli-key');
    await openstack('subnet', 'delete', 'cli-sub');
    await openstack('network', 'delete', 'cli-net');
    expect(await json('server', 'group', 'list')).toEqual([]);
    expect(await json('keypair', 'list')).toEqual([]);
  });

  it('works with the legacy nova and cinder clients too (boot, volume create, attach, detach, delete)', async () => {
    expect(await legacy('nova', 'flavor-list')).toMatch(/m1\.xlarge/);
    expect(
      await legacy(
        'nova',
        'boot',
        '--flavor',
        'm1.tiny',
        '--image',
        'cirros-0.6',
        '--nic',
        'none',
        '--poll',
        'legacy-vm',
      ),
    ).toMatch(/Finished/);
    const created = await legacy('cinder', 'create', '--name', 'legacy-vol', '1');
    const volumeId = /\|\s+id\s+\|\s+([0-9a-f-]{36})/.exec(created)?.[1] ?? '';
    await until(
      () => legacy('cinder', 'show', volumeId),
      (out) => /\|\s+status\s+\|\s+available/.test(out),
    );
    await legacy('nova', 'volume-attach', 'legacy-vm', volumeId);
    await until(
      () => legacy('cinder', 'show', volumeId),
      (out) => /\|\s+status\s+\|\s+in-use/.test(out),
    );
    await legacy('nova', 'volume-detach', 'legacy-vm', volumeId);
    await until(
      () => legacy('cinder', 'show', volumeId),
      (out) => /\|\s+status\s+\|\s+available/.test(out),
    );
    await legacy('cinder', 'delete', volumeId);
    await legacy('nova', 'delete', 'legacy-vm');
    await until(
      () => legacy('nova', 'list'),
      (out) => !out.includes('legacy-vm'),
    );
    await until(
      () => legacy('cinder', 'list'),
      (out) => !out.includes('legacy-vol'),
    );
  });
});
