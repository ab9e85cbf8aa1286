import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectConformant } from './openapi';
import { call, issueToken, startTestSandbox, type TestSandbox, sandboxLogin } from './helpers';

let sb: TestSandbox;
let admin: string;
let demo: string;
const images = (q = ''): string => `${sb.url}/image/v2/images${q}`;

beforeAll(async () => {
  // The web-download test imports from this sandbox's own (loopback) Swift: the operator's opt-in.
  sb = await startTestSandbox({ allowPrivateImports: true });
  admin = (await issueToken(sb.url, 'admin', sandboxLogin(sb, 'admin').password)).token;
  demo = (await issueToken(sb.url, 'demo', sandboxLogin(sb, 'demo').password)).token;
});
afterAll(async () => sb.close());

/** A member token in a fresh project (created through Keystone as admin). */
async function memberOfNewProject(name: string): Promise<string> {
  const project = (
    await call(`${sb.url}/identity/v3/projects`, {
      method: 'POST',
      token: admin,
      body: JSON.stringify({ project: { name } }),
    })
  ).json as { project: { id: string } };
  const user = (
    await call(`${sb.url}/identity/v3/users`, {
      method: 'POST',
      token: admin,
      body: JSON.stringify({ user: { name, password: name } }),
    })
  ).json as { user: { id: string } };
  const roles = (await call(`${sb.url}/identity/v3/roles?name=member`, { token: admin })).json as {
    roles: { id: string }[];
  };
  await call(
    `${sb.url}/identity/v3/projects/${project.project.id}/users/${user.user.id}/roles/${roles.roles[0]?.id ?? ''}`,
    { method: 'PUT', token: admin },
  );
  return (await issueToken(sb.url, name, name, name)).token;
}

type Image = {
  id: string;
  name: string;
  status: string;
  size: number | null;
  checksum: string | null;
  visibility: string;
  tags: string[];
  [k: string]: unknown;
};

describe('Glance images', () => {
  it('lists the seeded images with their properties and the filters the provider uses', async () => {
    const all = await call(images(), { token: demo });
    expect(all.status).toBe(200);
    expectConformant('image', 'GET', '/v2/images', 200, all.json);
    const list = (all.json as { images: Image[] }).images;
    expect(list.map((i) => i.name).sort()).toEqual(['cirros-0.6', 'debian-12', 'ubuntu-24.04']);
    const debian = list.find((i) => i.name === 'debian-12');
    expect(debian).toMatchObject({
      status: 'active',
      visibility: 'public',
      disk_format: 'qcow2',
      container_format: 'bare',
      os_distro: 'debian',
      os_version: '12',
      min_disk: 2,
      os_hash_algo: 'sha512',
    });
    const byName = (await call(images('?name=debian-12&status=active&visibility=public'), { token: demo })).json as {
      images: Image[];
    };
    expect(byName.images.map((i) => i.name)).toEqual(['debian-12']);
    const byProp = (await call(images('?os_distro=ubuntu'), { token: demo })).json as { images: Image[] };
    expect(byProp.images.map((i) => i.name)).toEqual(['ubuntu-24.04']);
    const sorted = (await call(images('?sort=name:asc'), { token: demo })).json as { images: Image[] };
    expect(sorted.images.map((i) => i.name)).toEqual(['cirros-0.6', 'debian-12', 'ubuntu-24.04']);
    const page = (await call(images('?sort=name:asc&limit=2'), { token: demo })).json as {
      images: Image[];
      next: string;
    };
    expect(page.images).toHaveLength(2);
    const rest = (await call(`${sb.url}/image${page.next}`, { token: demo })).json as { images: Image[] };
    expect(rest.images.map((i) => i.name)).toEqual(['ubuntu-24.04']);
    const one = await call(images(`/${debian?.id ?? ''}`), { token: demo });
    expectConformant('image', 'GET', `/v2/images/${debian?.id ?? ''}`, 200, one.json);
  });

  it('creates (queued), uploads (active, checksums), patches, tags and deletes an image', async () => {
    const created = await call(images(), {
      method: 'POST',
      token: demo,
      body: JSON.stringify({
        name: 'site-build',
        disk_format: 'raw',
        container_format: 'bare',
        tags: ['ci'],
        app: 'participa',
      }),
    });
    expect(created.status).toBe(201);
    expectConformant('image', 'POST', '/v2/images', 201, created.json);
    const img = created.json as Image;
    expect(img).toMatchObject({ status: 'queued', visibility: 'shared', size: null, checksum: null, app: 'participa' });
    const data = Buffer.from('a small disk image');
    const up = await call(images(`/${img.id}/file`), {
      method: 'PUT',
      token: demo,
      body: data,
      headers: { 'content-type': 'application/octet-stream' },
    });
    expect(up.status).toBe(204);
    const shown = (await call(images(`/${img.id}`), { token: demo })).json as Image;
    expect(shown).toMatchObject({
      status: 'active',
      size: data.length,
      virtual_size: data.length,
      checksum: createHash('md5').update(data).digest('hex'),
      os_hash_value: createHash('sha512').update(data).digest('hex'),
    });
    const file = await call(images(`/${img.id}/file`), { token: demo });
    expect(file.text).toBe('a small disk image');
    const patched = await call(images(`/${img.id}`), {
      method: 'PATCH',
      token: demo,
      body: JSON.stringify([
        { op: 'replace', path: '/name', value: 'site-build-2' },
        { op: 'add', path: '/os_distro', value: 'debian' },
        { op: 'remove', path: '/app' },
      ]),
      headers: { 'content-type': 'application/openstack-images-v2.1-json-patch' },
    });
    expect(patched.status).toBe(200);
    expectConformant('image', 'PATCH', `/v2/images/${img.id}`, 200, patched.json);
    expect(patched.json).toMatchObject({ name: 'site-build-2', os_distro: 'debian' });
    expect((patched.json as Image).app).toBeUndefined();
    const readOnly = await call(images(`/${img.id}`), {
      method: 'PATCH',
      token: demo,
      body: JSON.stringify([{ op: 'replace', path: '/status', value: 'killed' }]),
      headers: { 'content-type': 'application/openstack-images-v2.1-json-patch' },
    });
    expect(readOnly.status).toBe(403);
    // The older draft-4 json-patch ({"replace": "/name"}) that Tempest and older clients send.
    const draft4 = await call(images(`/${img.id}`), {
      method: 'PATCH',
      token: demo,
      body: JSON.stringify([{ replace: '/name', value: 'site-build-3' }]),
      headers: { 'content-type': 'application/openstack-images-v2.0-json-patch' },
    });
    expect(draft4.status).toBe(200);
    expect((draft4.json as Image).name).toBe('site-build-3');
    // The owner deactivates (data refused), then reactivates.
    const deactivate = await call(images(`/${img.id}/actions/deactivate`), { method: 'POST', token: demo });
    expect(deactivate.status).toBe(204);
    expect((await call(images(`/${img.id}/file`), { token: demo })).status).toBe(403);
    expect((await call(images(`/${img.id}/actions/reactivate`), { method: 'POST', token: demo })).status).toBe(204);
    expect((await call(images(`/${img.id}/file`), { token: demo })).status).toBe(200);
    // A public image of another project: visible, but only its owner or an admin may deactivate it.
    const cirros = ((await call(images('?name=cirros-0.6'), { token: demo })).json as { images: Image[] }).images[0];
    const refused = await call(images(`/${cirros?.id}/actions/deactivate`), { method: 'POST', token: demo });
    expect(refused.status).toBe(403);
    expect((await call(images(`/${img.id}/tags/blue`), { method: 'PUT', token: demo })).status).toBe(204);
    expect(
      ((await call(images('?tag=ci&tag=blue'), { token: demo })).json as { images: Image[] }).images.map((i) => i.id),
    ).toEqual([img.id]);
    expect((await call(images(`/${img.id}`), { method: 'DELETE', token: demo })).status).toBe(204);
    const gone = await call(images(`/${img.id}`), { token: demo });
    expect(gone.status).toBe(404);
    expect(gone.headers.get('content-type')).toBe('text/html; charset=UTF-8');
    expect(gone.text).toContain(`No image found with ID ${img.id}`);
  });

  it('keeps private images to their project and refuses bad input in Glance HTML', async () => {
    const mine = (
      await call(images(), {
        method: 'POST',
        token: demo,
        body: JSON.stringify({ name: 'private-one', visibility: 'private' }),
      })
    ).json as Image;
    expect((await call(images(`/${mine.id}`), { token: demo })).status).toBe(200);
    expect(((await call(images(), { token: demo })).json as { images: Image[] }).images.map((i) => i.name)).toContain(
      'private-one',
    );
    const other = await memberOfNewProject('other-city');
    expect((await call(images(`/${mine.id}`), { token: other })).status).toBe(404);
    expect(
      ((await call(images(), { token: other })).json as { images: Image[] }).images.map((i) => i.name),
    ).not.toContain('private-one');
    const bad = await call(images(), {
      method: 'POST',
      token: demo,
      body: JSON.stringify({ name: 'x', disk_format: 'floppy' }),
    });
    expect(bad.status).toBe(400);
    expect(bad.text).toContain('<h1>400 Bad Request</h1>');
    expect(bad.text).toContain('&#x27;floppy&#x27; is not one of');
    const publicByMember = await call(images(), {
      method: 'POST',
      token: demo,
      body: JSON.stringify({ name: 'x', visibility: 'public' }),
    });
    expect(publicByMember.status).toBe(403);
    const del = await call(images(`/${mine.id}`), { method: 'DELETE', token: admin });
    expect(del.status).toBe(204);
  });

  it('pages lists by 25 by default, with a next link that keeps the filters', async () => {
    for (let i = 0; i < 24; i += 1)
      await call(images(), {
        method: 'POST',
        token: admin,
        body: JSON.stringify({ name: `bulk-${String(i).padStart(2, '0')}`, tags: ['bulk'] }),
      });
    const first = (await call(images('?sort=name:asc'), { token: admin })).json as { images: Image[]; next?: string };
    expect(first.images).toHaveLength(25);
    expect(first.next).toMatch(/^\/v2\/images\?sort=name%3Aasc&marker=/);
    const second = (await call(`${sb.url}/image${first.next ?? ''}`, { token: admin })).json as {
      images: Image[];
      next?: string;
    };
    expect(second.next).toBeUndefined();
    expect(first.images.length + second.images.length).toBe(27);
    const tagged = (await call(images('?tag=bulk&limit=10'), { token: admin })).json as {
      images: Image[];
      next?: string;
    };
    expect(tagged.images).toHaveLength(10);
    expect(tagged.next).toContain('tag=bulk');
  });

  it('shares an image with another project through members (pending → accepted)', async () => {
    const other = await memberOfNewProject('sharing-city');
    const otherProject = (
      (await call(`${sb.url}/identity/v3/auth/tokens`, { token: other, headers: { 'x-subject-token': other } }))
        .json as { token: { project: { id: string } } }
    ).token.project.id;
    const img = (
      await call(images(), {
        method: 'POST',
        token: demo,
        body: JSON.stringify({ name: 'shared-one', visibility: 'shared' }),
      })
    ).json as Image;
    expect((await call(images(`/${img.id}`), { token: other })).status).toBe(404);
    const member = await call(images(`/${img.id}/members`), {
      method: 'POST',
      token: demo,
      body: JSON.stringify({ member: otherProject }),
    });
    expect(member.status).toBe(200);
    expectConformant('image', 'POST', `/v2/images/${img.id}/members`, 200, member.json);
    expect(member.json).toMatchObject({ status: 'pending', member_id: otherProject, image_id: img.id });
    // Pending: visible by id, not in the default list until accepted.
    expect((await call(images(`/${img.id}`), { token: other })).status).toBe(200);
    const listed = (): Promise<string[]> =>
      call(images(), { token: other }).then((a) => (a.json as { images: Image[] }).images.map((i) => i.name));
    expect(await listed()).not.toContain('shared-one');
    const accept = await call(images(`/${img.id}/members/${otherProject}`), {
      method: 'PUT',
      token: other,
      body: JSON.stringify({ status: 'accepted' }),
    });
    expect(accept.status).toBe(200);
    expect(await listed()).toContain('shared-one');
    expect(
      (
        await call(images(`/${img.id}/members/${otherProject}`), {
          method: 'PUT',
          token: demo,
          body: JSON.stringify({ status: 'accepted' }),
        })
      ).status,
    ).toBe(403);
    expect((await call(images(`/${img.id}/members/${otherProject}`), { method: 'DELETE', token: demo })).status).toBe(
      204,
    );
    expect((await call(images(`/${img.id}`), { token: other })).status).toBe(404);
  });

  it('imports an image with web-download from a URL (here a public Swift object)', async () => {
    const d = await issueToken(sb.url, 'demo', sandboxLogin(sb, 'demo').password);
    const container = `${sb.url}/object-store/v1/AUTH_${d.body.token.project.id}/disks`;
    await call(container, { method: 'PUT', token: demo, headers: { 'x-container-read': '.r:*' } });
    await call(`${container}/tiny.raw`, {
      method: 'PUT',
      token: demo,
      body: 'raw disk from swift',
      headers: { 'content-type': 'application/octet-stream' },
    });
    const img = (
      await call(images(), {
        method: 'POST',
        token: demo,
        body: JSON.stringify({ name: 'from-url', disk_format: 'raw', container_format: 'bare' }),
      })
    ).json as Image;
    const started = await call(images(`/${img.id}/import`), {
      method: 'POST',
      token: demo,
      body: JSON.stringify({ method: { name: 'web-download', uri: `${container}/tiny.raw` } }),
    });
    expect(started.status).toBe(202);
    let shown: Image = img;
    for (let i = 0; i < 100 && shown.status !== 'active'; i += 1) {
      await new Promise((r) => setTimeout(r, 20));
      shown = (await call(images(`/${img.id}`), { token: demo })).json as Image;
    }
    expect(shown).toMatchObject({
      status: 'active',
      size: 'raw disk from swift'.length,
      checksum: createHash('md5').update('raw disk from swift').digest('hex'),
    });
  });

  it('answers version discovery with 300 and the v2 schema', async () => {
    const v = await call(`${sb.url}/image`);
    expect(v.status).toBe(300);
    expect((v.json as { versions: { id: string; status: string }[] }).versions[0]).toMatchObject({
      id: 'v2.16',
      status: 'CURRENT',
    });
    const schema = await call(`${sb.url}/image/v2/schemas/image`, { token: demo });
    expect((schema.json as { name: string }).name).toBe('image');
  });
});
