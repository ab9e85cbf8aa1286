import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSandbox } from '../../src/sandbox/server.js';
import { ApiClient, cinderMv, waitFor, type Sandbox, type Session } from './compute-client.js';

/** Cinder over real HTTP against an in-process sandbox (status delay 300 ms, so `creating` is observable). */
let sandbox: Sandbox;
let api: ApiClient;
let dataDir: string;
let admin: Session;
let demo: Session;

const fault = (kind: string, code: number, message: string) => ({ [kind]: { code, message } });
const vol = (s: Session, p: string) => `/volume/v3/${s.projectId}${p}`;

beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'storm-cinder-'));
  sandbox = await createSandbox({ port: 0, dataDir, statusDelayMs: 300 });
  api = new ApiClient(sandbox);
  admin = await api.loginAs('admin');
  demo = await api.loginAs('demo');
});

afterAll(async () => {
  expect(api?.violations ?? []).toEqual([]);
  await sandbox?.close();
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
});

async function statusOf(s: Session, id: string): Promise<string> {
  return (await api.call('GET', vol(s, `/volumes/${id}`), s.token)).body.volume.status;
}

async function available(s: Session, body: Record<string, unknown>): Promise<string> {
  const res = await api.call('POST', vol(s, '/volumes'), s.token, { volume: body });
  expect(res.status).toBe(202);
  const id = res.body.volume.id;
  await waitFor(
    () => statusOf(s, id),
    (st) => st === 'available',
  );
  return id;
}

describe('discovery and microversions', () => {
  it('answers the versions document and negotiates volume 3.x', async () => {
    const root = await api.call('GET', '/volume/', undefined);
    expect(root.status).toBe(300);
    expect(root.body.versions[0]).toMatchObject({ id: 'v3.0', status: 'CURRENT', version: '3.70', min_version: '3.0' });
    const plain = await api.call('GET', vol(demo, '/types'), demo.token);
    expect(plain.headers.get('openstack-api-version')).toBe('volume 3.0');
    expect(plain.headers.get('vary')).toBe('OpenStack-API-Version');
    const latest = await api.call('GET', vol(demo, '/types'), demo.token, undefined, cinderMv('latest'));
    expect(latest.headers.get('openstack-api-version')).toBe('volume 3.70');
    const tooNew = await api.call('GET', vol(demo, '/types'), demo.token, undefined, cinderMv('3.99'));
    expect(tooNew.status).toBe(406);
  });

  it('seeds the volume types, with the encryption spec of `encrypted`', async () => {
    const types = (await api.call('GET', vol(demo, '/types'), demo.token)).body.volume_types;
    expect(types.map((t: { name: string }) => t.name)).toEqual(['standard', 'encrypted']);
    const enc = types.find((t: { name: string }) => t.name === 'encrypted');
    const spec = await api.call('GET', vol(demo, `/types/${enc.id}/encryption`), demo.token);
    expect(spec.body).toMatchObject({
      volume_type_id: enc.id,
      provider: 'luks',
      control_location: 'front-end',
      cipher: 'aes-xts-plain64',
      key_size: 256,
    });
    const std = types.find((t: { name: string }) => t.name === 'standard');
    expect((await api.call('GET', vol(demo, `/types/${std.id}/encryption`), demo.token)).body).toEqual({});
  });
});

describe('volumes', () => {
  it('goes creating → available, shows the real field set and updates', async () => {
    const res = await api.call('POST', vol(demo, '/volumes'), demo.token, {
      volume: { name: 'data', size: 1, metadata: { role: 'db' } },
    });
    expect(res.status).toBe(202);
    const v = res.body.volume;
    expect(v).toMatchObject({
      status: 'creating',
      size: 1,
      name: 'data',
      volume_type: 'standard',
      bootable: 'false',
      encrypted: false,
      attachments: [],
      updated_at: null,
    });
    expect(v['os-vol-tenant-attr:tenant_id']).toBeUndefined();
    expect(v.links[1].href).toBe(`${sandbox.url}/volume/${demo.projectId}/volumes/${v.id}`);
    await waitFor(
      () => statusOf(demo, v.id),
      (s) => s === 'available',
    );
    const shown = (await api.call('GET', vol(demo, `/volumes/${v.id}`), demo.token)).body.volume;
    expect(shown['os-vol-tenant-attr:tenant_id']).toBe(demo.projectId);
    expect(shown['os-vol-host-attr:host']).toBeUndefined();
    expect(shown.created_at).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}$/);
    const asAdmin = (await api.call('GET', vol(admin, `/volumes/detail?all_tenants=1&name=data`), admin.token)).body
      .volumes;
    expect(asAdmin).toHaveLength(1);
    expect(asAdmin[0]['os-vol-host-attr:host']).toBe('sandbox@lvm#lvm');
    const put = await api.call('PUT', vol(demo, `/volumes/${v.id}`), demo.token, {
      volume: { description: 'checked' },
    });
    expect(put.body.volume.description).toBe('checked');
    const list = await api.call('GET', vol(demo, '/volumes'), demo.token);
    expect(list.body.volumes).toEqual([{ id: v.id, name: 'data', links: v.links }]);
    const encrypted = await available(demo, { name: 'secret', size: 1, volume_type: 'encrypted' });
    expect((await api.call('GET', vol(demo, `/volumes/${encrypted}`), demo.token)).body.volume).toMatchObject({
      encrypted: true,
      volume_type: 'encrypted',
    });
    const modern = await api.call('GET', vol(demo, `/volumes/${v.id}`), demo.token, undefined, cinderMv('3.70'));
    expect(modern.body.volume).toMatchObject({
      volume_type_id: expect.any(String),
      consumes_quota: true,
      shared_targets: true,
      group_id: null,
    });
  });

  it('validates like Cinder and keeps projects apart', async () => {
    const bad = await api.call('POST', vol(demo, '/volumes'), demo.token, { volume: { name: 'x', size: 'abc' } });
    expect(bad.status).toBe(400);
    expect(bad.body).toEqual(
      fault('badRequest', 400, "Invalid input for field/attribute size. Value: abc. 'abc' does not match '^[0-9]+$'"),
    );
    const adminVol = await available(admin, { name: 'admins', size: 1 });
    const hidden = await api.call('GET', vol(demo, `/volumes/${adminVol}`), demo.token);
    expect(hidden.status).toBe(404);
    expect(hidden.body).toEqual(fault('itemNotFound', 404, `Volume ${adminVol} could not be found.`));
    const otherProject = await api.call('GET', `/volume/v3/${admin.projectId}/volumes`, demo.token);
    expect(otherProject.status).toBe(400);
    expect(otherProject.body).toEqual(fault('badRequest', 400, 'Malformed request url'));
    expect((await api.call('DELETE', vol(admin, `/volumes/${adminVol}`), admin.token)).status).toBe(202);
  });

  it('answers 413 overLimit with retryAfter when the quota is exhausted', async () => {
    const set = await api.call('PUT', vol(admin, `/os-quota-sets/${demo.projectId}`), admin.token, {
      quota_set: { gigabytes: 5 },
    });
    expect(set.status).toBe(200);
    expect(set.body.quota_set).toMatchObject({ gigabytes: 5, volumes: 10, volumes_standard: -1 });
    const used = (await api.call('GET', vol(demo, `/os-quota-sets/${demo.projectId}?usage=true`), demo.token)).body
      .quota_set.gigabytes.in_use;
    const res = await api.call('POST', vol(demo, '/volumes'), demo.token, { volume: { name: 'huge', size: 10 } });
    expect(res.status).toBe(413);
    expect(res.headers.get('retry-after')).toBe('0');
    expect(res.body).toEqual({
      overLimit: {
        code: 413,
        message: `VolumeSizeExceedsAvailableQuota: Requested volume or snapshot exceeds allowed gigabytes quota. Requested 10G, quota is 5G and ${used}G has been consumed.`,
        retryAfter: '0',
      },
    });
    await api.call('PUT', vol(admin, `/os-quota-sets/${demo.projectId}`), admin.token, {
      quota_set: { volumes: 0, gigabytes: 1000 },
    });
    const none = await api.call('POST', vol(demo, '/volumes'), demo.token, { volume: { name: 'one', size: 1 } });
    expect(none.body).toEqual({
      overLimit: {
        code: 413,
        message: "VolumeLimitExceeded: Maximum number of volumes allowed (0) exceeded for quota 'volumes'.",
        retryAfter: '0',
      },
    });
    expect((await api.call('DELETE', vol(admin, `/os-quota-sets/${demo.projectId}`), admin.token)).status).toBe(200);
    const limits = await api.call('GET', vol(demo, '/limits'), demo.token);
    expect(limits.body.limits.absolute).toMatchObject({ maxTotalVolumes: 10, maxTotalVolumeGigabytes: 1000 });
  });

  it('drives the 3.27 attachments API: reserved → attached (in-use), delete refused, then detached → available', async () => {
    const id = await available(demo, { name: 'att', size: 1 });
    const server = '11111111-2222-4333-8444-555555555555';
    const created = await api.call(
      'POST',
      vol(demo, '/attachments'),
      demo.token,
      { attachment: { volume_uuid: id, instance_uuid: server } },
      cinderMv('3.44'),
    );
    expect(created.status).toBe(200);
    expect(created.body.attachment).toMatchObject({
      status: 'reserved',
      instance: server,
      volume_id: id,
      attach_mode: 'rw',
      connection_info: {},
    });
    expect(await statusOf(demo, id)).toBe('reserved');
    const att = created.body.attachment.id;
    const updated = await api.call(
      'PUT',
      vol(demo, `/attachments/${att}`),
      demo.token,
      { attachment: { connector: { host: 'sandbox', mountpoint: '/dev/vdc' } } },
      cinderMv('3.44'),
    );
    expect(updated.body.attachment.connection_info).toMatchObject({ driver_volume_type: 'iscsi' });
    expect(
      (
        await api.call(
          'POST',
          vol(demo, `/attachments/${att}/action`),
          demo.token,
          { 'os-complete': null },
          cinderMv('3.44'),
        )
      ).status,
    ).toBe(204);
    expect(await statusOf(demo, id)).toBe('in-use');
    const refused = await api.call('DELETE', vol(demo, `/volumes/${id}`), demo.token);
    expect(refused.status).toBe(400);
    const removed = await api.call('DELETE', vol(demo, `/attachments/${att}`), demo.token, undefined, cinderMv('3.44'));
    expect(removed.status).toBe(200);
    expect(removed.body).toEqual({ attachments: [] });
    expect(await statusOf(demo, id)).toBe('available');
    const old = await api.call('POST', vol(demo, '/attachments'), demo.token, { attachment: { volume_uuid: id } });
    expect(old.status).toBe(404);
  });

  it('sorts (sort=k:dir, sort_key/sort_dir), pages with volumes_links and starts after a marker', async () => {
    const ids = [
      await available(demo, { name: 'page-1', size: 1 }),
      await available(demo, { name: 'page-2', size: 1 }),
      await available(demo, { name: 'page-3', size: 1 }),
    ];
    const list = async (query: string) => (await api.call('GET', vol(demo, `/volumes${query}`), demo.token)).body;
    const byId = [...ids].sort();
    const asc = await list('/detail?name~=page-&sort=id:asc');
    expect(asc.volumes.map((v: { id: string }) => v.id)).toEqual(byId);
    const desc = await list('/detail?name~=page-&sort_key=id&sort_dir=desc');
    expect(desc.volumes.map((v: { id: string }) => v.id)).toEqual([...byId].reverse());
    // Cinder's default: newest first.
    const newest = await list('?name~=page-');
    expect(newest.volumes.map((v: { name: string }) => v.name)).toEqual(['page-3', 'page-2', 'page-1']);
    const seen: string[] = [];
    let page = await list('?name~=page-&limit=2&sort=id:asc');
    for (;;) {
      seen.push(...page.volumes.map((v: { id: string }) => v.id));
      const next = page.volumes_links?.find((l: { rel: string }) => l.rel === 'next')?.href as string | undefined;
      if (next === undefined) break;
      expect(next).toContain(`marker=${seen[seen.length - 1]}`);
      page = await list(next.slice(next.indexOf('/volumes') + '/volumes'.length));
    }
    expect(seen).toEqual(byId);
    const after = await list(`/detail?name~=page-&marker=${byId[0]}&sort=id:asc`);
    expect(after.volumes.map((v: { id: string }) => v.id)).toEqual(byId.slice(1));
    const bad = await api.call('GET', vol(demo, '/volumes?sort=id:sideways'), demo.token);
    expect(bad.status).toBe(400);
    const both = await api.call('GET', vol(demo, '/volumes?sort=id&sort_key=name'), demo.token);
    expect(both.status).toBe(400);
    for (const id of ids) await api.call('DELETE', vol(demo, `/volumes/${id}`), demo.token);
  });

  it('drives the legacy actions (reserve, attach, begin_detaching, detach) and extend', async () => {
    const id = await available(demo, { name: 'legacy', size: 1 });
    const action = (body: unknown) => api.call('POST', vol(demo, `/volumes/${id}/action`), demo.token, body);
    expect((await action({ 'os-reserve': null })).status).toBe(202);
    // As Cinder's reserve_volume (Tempest's test_reserve_unreserve_volume on a real Zed).
    expect(await statusOf(demo, id)).toBe('attaching');
    expect((await action({ 'os-unreserve': null })).status).toBe(202);
    expect(await statusOf(demo, id)).toBe('available');
    expect((await action({ 'os-reserve': null })).status).toBe(202);
    expect((await action({ 'os-update_readonly_flag': { readonly: true } })).status).toBe(202);
    const flagged = await api.call('GET', vol(demo, `/volumes/${id}`), demo.token);
    expect(flagged.body.volume.metadata.readonly).toBe('True');
    const conn = await action({ 'os-initialize_connection': { connector: { host: 'sandbox' } } });
    expect(conn.status).toBe(200);
    expect(conn.body.connection_info.driver_volume_type).toBe('iscsi');
    expect(
      (await action({ 'os-attach': { instance_uuid: '11111111-2222-4333-8444-555555555556', mountpoint: '/dev/vdb' } }))
        .status,
    ).toBe(202);
    expect(await statusOf(demo, id)).toBe('in-use');
    const extendInUse = await action({ 'os-extend': { new_size: 2 } });
    expect(extendInUse.status).toBe(400);
    expect((await action({ 'os-begin_detaching': null })).status).toBe(202);
    expect(await statusOf(demo, id)).toBe('detaching');
    expect((await action({ 'os-detach': {} })).status).toBe(202);
    expect(await statusOf(demo, id)).toBe('available');
    expect((await action({ 'os-extend': { new_size: 3 } })).status).toBe(202);
    expect(await statusOf(demo, id)).toBe('extending');
    await waitFor(
      () => api.call('GET', vol(demo, `/volumes/${id}`), demo.token),
      (r) => r.body.volume.status === 'available' && r.body.volume.size === 3,
    );
    expect((await api.call('DELETE', vol(demo, `/volumes/${id}`), demo.token)).status).toBe(202);
    expect(await statusOf(demo, id)).toBe('deleting');
    await waitFor(
      () => api.call('GET', vol(demo, `/volumes/${id}`), demo.token),
      (r) => r.status === 404,
    );
  });

  it('snapshots a volume (creating → available), refuses deleting the volume meanwhile, restores into a new volume', async () => {
    const id = await available(demo, { name: 'snapped', size: 2, volume_type: 'encrypted' });
    const created = await api.call('POST', vol(demo, '/snapshots'), demo.token, {
      snapshot: { volume_id: id, name: 'snap-1' },
    });
    expect(created.status).toBe(202);
    expect(created.body.snapshot).toMatchObject({
      volume_id: id,
      name: 'snap-1',
      status: 'creating',
      size: 2,
      metadata: {},
    });
    const snap = created.body.snapshot.id;
    await waitFor(
      () => api.call('GET', vol(demo, `/snapshots/${snap}`), demo.token),
      (r) => r.body.snapshot.status === 'available',
    );
    const detail = await api.call('GET', vol(demo, '/snapshots/detail'), demo.token, undefined, cinderMv('3.65'));
    expect(detail.body.snapshots[0]).toMatchObject({
      id: snap,
      'os-extended-snapshot-attributes:progress': '100%',
      user_id: demo.userId,
      consumes_quota: true,
    });
    const refused = await api.call('DELETE', vol(demo, `/volumes/${id}`), demo.token);
    expect(refused.status).toBe(400);
    const restored = await api.call('POST', vol(demo, '/volumes'), demo.token, {
      volume: { name: 'restored', snapshot_id: snap },
    });
    expect(restored.status).toBe(202);
    expect(restored.body.volume).toMatchObject({ size: 2, snapshot_id: snap, volume_type: 'encrypted' });
    const tooSmall = await api.call('POST', vol(demo, '/volumes'), demo.token, {
      volume: { size: 1, snapshot_id: snap },
    });
    expect(tooSmall.status).toBe(400);
    const limits = await api.call('GET', vol(demo, '/limits'), demo.token);
    expect(limits.body.limits.absolute.totalSnapshotsUsed).toBe(1);
    expect((await api.call('DELETE', vol(demo, `/snapshots/${snap}`), demo.token)).status).toBe(202);
    await waitFor(
      () => api.call('GET', vol(demo, `/snapshots/${snap}`), demo.token),
      (r) => r.status === 404,
    );
    expect((await api.call('DELETE', vol(demo, `/volumes/${id}`), demo.token)).status).toBe(202);
  });

  it('lists availability zones', async () => {
    const az = await api.call('GET', vol(demo, '/os-availability-zone'), demo.token);
    expect(az.body).toEqual({ availabilityZoneInfo: [{ zoneName: 'nova', zoneState: { available: true } }] });
  });
});
