import { createHash, createHmac } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectConformant } from './openapi';
import { call, issueToken, startTestSandbox, type TestSandbox, sandboxLogin } from './helpers';

let sb: TestSandbox;
let admin: { token: string; account: string };
let demo: { token: string; account: string };

beforeAll(async () => {
  sb = await startTestSandbox();
  const a = await issueToken(sb.url, 'admin', sandboxLogin(sb, 'admin').password);
  const d = await issueToken(sb.url, 'demo', sandboxLogin(sb, 'demo').password);
  admin = { token: a.token, account: `${sb.url}/object-store/v1/AUTH_${a.body.token.project.id}` };
  demo = { token: d.token, account: `${sb.url}/object-store/v1/AUTH_${d.body.token.project.id}` };
});
afterAll(async () => sb.close());

describe('Swift containers and objects', () => {
  it('creates, lists (json and plain), reads, overwrites and deletes with real headers', async () => {
    const c = `${demo.account}/site`;
    const put = await call(c, { method: 'PUT', token: demo.token, headers: { 'x-container-meta-owner': 'city' } });
    expect(put.status).toBe(201);
    expect(put.headers.get('x-trans-id')).toMatch(/^tx[0-9a-f]{21}-[0-9a-f]{10}$/);
    expect(put.headers.get('x-openstack-request-id')).toBe(put.headers.get('x-trans-id'));
    expect((await call(c, { method: 'PUT', token: demo.token })).status).toBe(202);
    const obj = await call(`${c}/docs/index.html`, {
      method: 'PUT',
      token: demo.token,
      body: '<h1>hi</h1>',
      headers: { 'content-type': 'text/html', 'x-object-meta-color': 'blue' },
    });
    expect(obj.status).toBe(201);
    expect(obj.headers.get('etag')).toBe(createHash('md5').update('<h1>hi</h1>').digest('hex'));
    await call(`${c}/readme.txt`, { method: 'PUT', token: demo.token, body: 'read me' });
    const json = await call(`${c}?format=json`, { token: demo.token });
    expect(json.status).toBe(200);
    expectConformant('object-store', 'GET', '/v1/AUTH_x/site', 200, json.json);
    expect((json.json as { name: string }[]).map((o) => o.name)).toEqual(['docs/index.html', 'readme.txt']);
    const delim = await call(`${c}?format=json&delimiter=/`, { token: demo.token });
    expect(delim.json).toEqual([{ subdir: 'docs/' }, expect.objectContaining({ name: 'readme.txt', bytes: 7 })]);
    const plain = await call(`${c}?prefix=docs/`, { token: demo.token });
    expect(plain.text).toBe('docs/index.html\n');
    const head = await call(c, { method: 'HEAD', token: demo.token });
    expect(head.headers.get('x-container-object-count')).toBe('2');
    expect(head.headers.get('x-container-bytes-used')).toBe(String('<h1>hi</h1>'.length + 7));
    expect(head.headers.get('x-container-meta-owner')).toBe('city');
    const got = await call(`${c}/docs/index.html`, { token: demo.token });
    expect(got.text).toBe('<h1>hi</h1>');
    expect(got.headers.get('content-type')).toBe('text/html');
    expect(got.headers.get('x-object-meta-color')).toBe('blue');
    expect(got.headers.get('etag')).toBe(obj.headers.get('etag'));
    const acct = await call(`${demo.account}?format=json`, { token: demo.token });
    expectConformant('object-store', 'GET', '/v1/AUTH_x', 200, acct.json);
    expect(acct.headers.get('x-account-object-count')).toBe('2');
    const conflict = await call(c, { method: 'DELETE', token: demo.token });
    expect(conflict.status).toBe(409);
    expect(conflict.text).toBe(
      '<html><h1>Conflict</h1><p>There was a conflict when trying to complete your request.</p></html>',
    );
    expect((await call(`${c}/docs/index.html`, { method: 'DELETE', token: demo.token })).status).toBe(204);
    expect((await call(`${c}/readme.txt`, { method: 'DELETE', token: demo.token })).status).toBe(204);
    expect((await call(c, { method: 'DELETE', token: demo.token })).status).toBe(204);
    const missing = await call(c, { token: demo.token });
    expect(missing.status).toBe(404);
    expect(missing.text).toBe('<html><h1>Not Found</h1><p>The resource could not be found.</p></html>');
  });

  it('lists as Swift does: XML, the account at /v1/AUTH_x/, limit=0, and `_` in a metadata name read as `-`', async () => {
    const c = `${demo.account}/listings`;
    expect((await call(c, { method: 'PUT', token: demo.token, headers: { 'x-container-meta-a_b': 'v' } })).status).toBe(
      201,
    );
    expect((await call(c, { method: 'HEAD', token: demo.token })).headers.get('x-container-meta-a-b')).toBe('v');
    await call(`${c}/a&b.txt`, {
      method: 'PUT',
      token: demo.token,
      body: 'xy',
      headers: { 'content-type': 'text/plain' },
    });
    const xml = await call(`${c}?format=xml`, { token: demo.token });
    expect(xml.status).toBe(200);
    expect(xml.headers.get('content-type')).toBe('application/xml; charset=utf-8');
    expect(xml.text).toMatch(
      /^<\?xml version="1.0" encoding="UTF-8"\?>\n<container name="listings"><object><bytes>2<\/bytes><hash>[0-9a-f]{32}<\/hash><name>a&#38;b.txt<\/name><content_type>text\/plain<\/content_type><last_modified>[0-9T:.-]+<\/last_modified><\/object><\/container>$/,
    );
    const account = await call(`${demo.account}/?format=xml`, { token: demo.token });
    expect(account.status).toBe(200);
    expect(account.text).toContain('<container><name>listings</name><count>1</count><bytes>2</bytes>');
    expect(account.text).toMatch(/<account name="AUTH_[0-9a-f]+">/);
    const none = await call(`${demo.account}/?limit=0`, { token: demo.token });
    expect(none.status).toBe(204);
    expect((await call(`${c}?format=json&limit=0`, { token: demo.token })).json).toEqual([]);
    await call(`${c}/a&b.txt`, { method: 'DELETE', token: demo.token });
    await call(c, { method: 'DELETE', token: demo.token });
  });

  it('keeps projects apart: another project gets 403, no token 401', async () => {
    await call(`${demo.account}/private`, { method: 'PUT', token: demo.token });
    await call(`${demo.account}/private/secret.txt`, { method: 'PUT', token: demo.token, body: 'psst' });
    expect((await call(`${demo.account}/private/secret.txt`, { token: admin.token })).status).toBe(403);
    expect((await call(`${demo.account}?format=json`, { token: admin.token })).status).toBe(403);
    expect(
      (await call(`${demo.account}/private/other.txt`, { method: 'PUT', token: admin.token, body: 'x' })).status,
    ).toBe(403);
    const anon = await call(`${demo.account}/private/secret.txt`);
    expect(anon.status).toBe(401);
    expect(anon.headers.get('www-authenticate')).toContain('Swift realm="AUTH_');
    const adminList = (await call(`${admin.account}?format=json`, { token: admin.token })).json as { name: string }[];
    expect(adminList.map((c) => c.name)).not.toContain('private');
  });

  it('serves a public-read container to anonymous clients, and lets a write ACL grant another project', async () => {
    const c = `${admin.account}/artifacts`;
    await call(c, { method: 'PUT', token: admin.token, headers: { 'x-container-read': '.r:*,.rlistings' } });
    await call(`${c}/app.tar.gz`, { method: 'PUT', token: admin.token, body: 'bytes' });
    const anon = await call(`${c}/app.tar.gz`);
    expect(anon.status).toBe(200);
    expect(anon.text).toBe('bytes');
    expect((await call(`${c}?format=json`)).status).toBe(200);
    expect((await call(`${c}/app.tar.gz`, { method: 'DELETE' })).status).toBe(401);
    const shared = `${admin.account}/dropbox`;
    await call(shared, { method: 'PUT', token: admin.token, headers: { 'x-container-write': 'demo:*' } });
    expect((await call(`${shared}/from-demo.txt`, { method: 'PUT', token: demo.token, body: 'hi' })).status).toBe(201);
  });

  it('archives overwritten objects in the versions container and restores on delete', async () => {
    await call(`${demo.account}/versions`, { method: 'PUT', token: demo.token });
    const c = `${demo.account}/docs`;
    await call(c, { method: 'PUT', token: demo.token, headers: { 'x-versions-location': 'versions' } });
    expect((await call(c, { method: 'HEAD', token: demo.token })).headers.get('x-versions-location')).toBe('versions');
    await call(`${c}/a.txt`, { method: 'PUT', token: demo.token, body: 'v1' });
    await new Promise((r) => setTimeout(r, 15));
    await call(`${c}/a.txt`, { method: 'PUT', token: demo.token, body: 'v2' });
    const archived = (await call(`${demo.account}/versions?format=json`, { token: demo.token })).json as {
      name: string;
    }[];
    expect(archived).toHaveLength(1);
    expect(archived[0]?.name).toMatch(/^005a\.txt\/\d+\.\d{5}$/);
    expect((await call(`${c}/a.txt`, { token: demo.token })).text).toBe('v2');
    await call(`${c}/a.txt`, { method: 'DELETE', token: demo.token });
    expect((await call(`${c}/a.txt`, { token: demo.token })).text).toBe('v1');
  });

  it('keeps versions with X-Versions-Enabled: version ids, delete markers, ?versions listing', async () => {
    const c = `${demo.account}/versioned`;
    expect(
      (await call(c, { method: 'PUT', token: demo.token, headers: { 'x-versions-enabled': 'true' } })).status,
    ).toBe(201);
    expect((await call(c, { method: 'HEAD', token: demo.token })).headers.get('x-versions-enabled')).toBe('True');
    const v1 =
      (await call(`${c}/doc.txt`, { method: 'PUT', token: demo.token, body: 'one' })).headers.get(
        'x-object-version-id',
      ) ?? '';
    const v2 =
      (await call(`${c}/doc.txt`, { method: 'PUT', token: demo.token, body: 'two' })).headers.get(
        'x-object-version-id',
      ) ?? '';
    expect(v1).toMatch(/^\d+\.\d{5}$/);
    expect(Number(v2)).toBeGreaterThan(Number(v1));
    expect((await call(`${c}/doc.txt`, { token: demo.token })).text).toBe('two');
    expect((await call(`${c}/doc.txt?version-id=${v1}`, { token: demo.token })).text).toBe('one');
    const del = await call(`${c}/doc.txt`, { method: 'DELETE', token: demo.token });
    expect(del.status).toBe(204);
    expect((await call(`${c}/doc.txt`, { token: demo.token })).status).toBe(404);
    const versions = (await call(`${c}?versions&format=json`, { token: demo.token })).json as {
      version_id: string;
      is_latest: boolean;
      content_type: string;
    }[];
    expect(versions.map((v) => [v.version_id, v.is_latest])).toEqual([
      [del.headers.get('x-object-version-id'), true],
      [v2, false],
      [v1, false],
    ]);
    expect(versions[0]?.content_type).toBe('application/x-deleted;swift_versions_deleted=1');
    // Removing the delete marker by version id brings nothing back by itself; v2 is still there by id.
    expect((await call(`${c}/doc.txt?version-id=${v2}`, { token: demo.token })).text).toBe('two');
    expect((await call(c, { method: 'DELETE', token: demo.token })).status).toBe(409);
    for (const v of versions)
      expect(
        (await call(`${c}/doc.txt?version-id=${v.version_id}`, { method: 'DELETE', token: demo.token })).status,
      ).toBe(204);
    expect((await call(c, { method: 'DELETE', token: demo.token })).status).toBe(204);
    const legacy = await call(`${demo.account}/both`, {
      method: 'PUT',
      token: demo.token,
      headers: { 'x-versions-enabled': 'true', 'x-versions-location': 'elsewhere' },
    });
    expect(legacy.status).toBe(400);
  });

  it('enforces container quotas with 413 and checks ETag on upload', async () => {
    const c = `${demo.account}/tiny`;
    await call(c, { method: 'PUT', token: demo.token, headers: { 'x-container-meta-quota-count': '1' } });
    expect((await call(`${c}/1`, { method: 'PUT', token: demo.token, body: 'a' })).status).toBe(201);
    const over = await call(`${c}/2`, { method: 'PUT', token: demo.token, body: 'b' });
    expect(over.status).toBe(413);
    expect(over.text).toBe('Upload exceeds quota.');
    const bad = await call(`${c}/1`, {
      method: 'PUT',
      token: demo.token,
      body: 'a',
      headers: { etag: '00000000000000000000000000000000' },
    });
    expect(bad.status).toBe(422);
  });

  it('serves temp URLs signed with the account key, and refuses bad or expired ones', async () => {
    const c = `${demo.account}/private-docs`;
    await call(c, { method: 'PUT', token: demo.token });
    await call(`${c}/report.pdf`, { method: 'PUT', token: demo.token, body: 'pdf bytes' });
    expect(
      (
        await call(demo.account, {
          method: 'POST',
          token: demo.token,
          headers: { 'x-account-meta-temp-url-key': 's3cret' },
        })
      ).status,
    ).toBe(204);
    const path = new URL(`${c}/report.pdf`).pathname;
    const expires = Math.floor(Date.now() / 1000) + 300;
    const sign = (method: string, exp: number, key = 's3cret'): string =>
      createHmac('sha256', key).update(`${method}\n${exp}\n${path}`).digest('hex');
    const ok = await call(`${c}/report.pdf?temp_url_sig=${sign('GET', expires)}&temp_url_expires=${expires}`);
    expect(ok.status).toBe(200);
    expect(ok.text).toBe('pdf bytes');
    expect(
      (await call(`${c}/report.pdf?temp_url_sig=${sign('GET', expires, 'wrong')}&temp_url_expires=${expires}`)).status,
    ).toBe(401);
    const past = Math.floor(Date.now() / 1000) - 5;
    expect((await call(`${c}/report.pdf?temp_url_sig=${sign('GET', past)}&temp_url_expires=${past}`)).status).toBe(401);
    expect(
      (
        await call(`${c}/report.pdf?temp_url_sig=${sign('GET', expires)}&temp_url_expires=${expires}`, {
          method: 'DELETE',
        })
      ).status,
    ).toBe(401);
  });

  it('copies objects with X-Copy-From and with the COPY method', async () => {
    const c = `${demo.account}/copies`;
    await call(c, { method: 'PUT', token: demo.token });
    await call(`${c}/src.txt`, {
      method: 'PUT',
      token: demo.token,
      body: 'original',
      headers: { 'content-type': 'text/plain', 'x-object-meta-a': '1' },
    });
    const put = await call(`${c}/by-put.txt`, {
      method: 'PUT',
      token: demo.token,
      headers: { 'x-copy-from': '/copies/src.txt' },
    });
    expect(put.status).toBe(201);
    expect(put.headers.get('x-copied-from')).toBe('copies/src.txt');
    const copy = await call(`${c}/src.txt`, {
      method: 'COPY',
      token: demo.token,
      headers: { destination: '/copies/by-copy.txt', 'x-object-meta-b': '2' },
    });
    expect(copy.status).toBe(201);
    const got = await call(`${c}/by-copy.txt`, { token: demo.token });
    expect(got.text).toBe('original');
    expect(got.headers.get('content-type')).toBe('text/plain');
    expect(got.headers.get('x-object-meta-a')).toBe('1');
    expect(got.headers.get('x-object-meta-b')).toBe('2');
    expect(
      (await call(`${c}/missing.txt`, { method: 'COPY', token: demo.token, headers: { destination: '/copies/x' } }))
        .status,
    ).toBe(404);
  });

  it('answers /info without a token', async () => {
    const info = await call(`${sb.url}/object-store/info`);
    expect(info.status).toBe(200);
    expect((info.json as { swift: { version: string } }).swift.version).toBe('2.30.0');
  });
});
