/**
 * The few Swift calls the deploy step makes: make a container (public-read
 * for artifacts instances fetch without credentials), read an object's ETag,
 * upload an object. Authentication stays with the caller (authHeaders), so
 * no credential passes through here.
 */
import * as crypto from 'node:crypto';
import type { CloudFetch } from '../cloud/transport';
import { StormError } from '../errors';

export interface ObjectStore {
  /** The account URL, e.g. http://127.0.0.1:8999/v1/AUTH_<project>. */
  readonly endpoint: string;
  containerUrl(container: string): string;
  /** Creates the container or sets its read ACL; any write ACL is removed (only the project's own users write). */
  ensureContainer(container: string, options: { publicRead: boolean }): Promise<'created' | 'updated' | 'unchanged'>;
  /** The object's ETag (MD5 of its bytes), or undefined when it does not exist. */
  objectEtag(container: string, name: string): Promise<string | undefined>;
  putObject(container: string, name: string, body: Buffer, contentType: string): Promise<void>;
  /** Deletes an object; false when it was not there. */
  deleteObject(container: string, name: string): Promise<boolean>;
  /** Version ids of an object in a versioned container (object versioning), newest first; [] when none. */
  objectVersions(container: string, name: string): Promise<string[]>;
  deleteObjectVersion(container: string, name: string, versionId: string): Promise<void>;
  /** Deletes a container when it holds nothing; false when it is absent or not empty. */
  deleteContainerIfEmpty(container: string): Promise<boolean>;
}

export function md5Hex(body: Buffer): string {
  return crypto.createHash('md5').update(body).digest('hex');
}

function objectPath(name: string): string {
  return name.split('/').map(encodeURIComponent).join('/');
}

export function swiftObjectStore(
  endpoint: string,
  authHeaders: () => Record<string, string>,
  /** The cloud's fetch (cloud/transport.ts), so its CA and client certificate apply here too. */
  http: CloudFetch,
  timeoutMs = 30_000,
): ObjectStore {
  const base = endpoint.replace(/\/+$/, '');
  const call = async (
    method: string,
    path: string,
    headers: Record<string, string> = {},
    body?: Buffer,
  ): Promise<Response> => {
    const url = `${base}/${path}`;
    try {
      return await http(url, {
        method,
        headers: { ...authHeaders(), ...headers },
        ...(body === undefined ? {} : { body }),
        signal: AbortSignal.timeout(timeoutMs),
      });
    } catch (err) {
      if (err instanceof StormError) throw err;
      throw new StormError(
        'deploy',
        `object storage at ${base} is unreachable (${method} ${path}): ${err instanceof Error ? err.message : String(err)}`,
      );
    }
  };
  const fail = async (res: Response, what: string): Promise<never> => {
    const text = (await res.text()).trim().slice(0, 200);
    throw new StormError(
      'deploy',
      `object storage refused to ${what}: HTTP ${res.status}${text === '' ? '' : ` — ${text}`}`,
    );
  };
  return {
    endpoint: base,
    containerUrl: (container) => `${base}/${encodeURIComponent(container)}`,
    async ensureContainer(container, options) {
      const wanted = options.publicRead ? '.r:*,.rlistings' : '';
      const head = await call('HEAD', encodeURIComponent(container));
      if (head.status !== 404 && !head.ok) await fail(head, `read container ${container}`);
      const current = head.headers.get('x-container-read') ?? '';
      const writers = head.headers.get('x-container-write') ?? '';
      if (head.ok && current === wanted && writers === '') return 'unchanged';
      const res = await call('PUT', encodeURIComponent(container), {
        ...(options.publicRead ? { 'X-Container-Read': wanted } : { 'X-Remove-Container-Read': 'x' }),
        // A write ACL lets other projects' users (or anyone, with .r:*) replace what instances run.
        'X-Remove-Container-Write': 'x',
      });
      if (!res.ok) await fail(res, `create container ${container}`);
      return head.ok ? 'updated' : 'created';
    },
    async objectEtag(container, name) {
      const res = await call('HEAD', `${encodeURIComponent(container)}/${objectPath(name)}`);
      if (res.status === 404) return undefined;
      if (!res.ok) await fail(res, `read ${container}/${name}`);
      return (res.headers.get('etag') ?? '').replace(/"/g, '').toLowerCase() || undefined;
    },
    async putObject(container, name, body, contentType) {
      const res = await call(
        'PUT',
        `${encodeURIComponent(container)}/${objectPath(name)}`,
        { 'Content-Type': contentType, ETag: md5Hex(body) },
        body,
      );
      if (!res.ok) await fail(res, `store ${container}/${name}`);
    },
    async deleteObject(container, name) {
      const res = await call('DELETE', `${encodeURIComponent(container)}/${objectPath(name)}`);
      if (res.status === 404) return false;
      if (!res.ok) await fail(res, `delete ${container}/${name}`);
      return true;
    },
    async objectVersions(container, name) {
      const res = await call(
        'GET',
        `${encodeURIComponent(container)}?versions&format=json&prefix=${encodeURIComponent(name)}`,
        { Accept: 'application/json' },
      );
      if (res.status === 404) return [];
      if (!res.ok) await fail(res, `list the versions of ${container}/${name}`);
      const list = (await res.json()) as Array<{ name?: string; version_id?: string }>;
      return list
        .filter((v) => v.name === name && typeof v.version_id === 'string' && v.version_id !== 'null')
        .map((v) => v.version_id as string);
    },
    async deleteObjectVersion(container, name, versionId) {
      const res = await call(
        'DELETE',
        `${encodeURIComponent(container)}/${objectPath(name)}?version-id=${encodeURIComponent(versionId)}`,
      );
      if (!res.ok && res.status !== 404) await fail(res, `delete version ${versionId} of ${container}/${name}`);
    },
    async deleteContainerIfEmpty(container) {
      const res = await call('DELETE', encodeURIComponent(container));
      // Swift answers 409 for a container that still holds objects.
      if (res.status === 404 || res.status === 409) return false;
      if (!res.ok) await fail(res, `delete container ${container}`);
      return true;
    },
  };
}
