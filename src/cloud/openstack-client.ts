/**
 * A small read-only OpenStack client for pre-flight: one Keystone v3 token, the
 * service catalog, and GETs against the endpoints it lists. Failures become
 * StormErrors that say what is wrong in OpenStack terms (wrong password, expired
 * application credential, unreachable endpoint) and never echo a secret.
 */
import { StormError } from '../errors';
import { HttpFetchError } from '../http-fetch';
import type { CloudAuth, CloudCredentials } from './credentials';
import { type CloudFetch, cloudFetch } from './transport';

export interface CatalogEndpoint {
  interface: string;
  region: string | undefined;
  url: string;
}

export interface CatalogService {
  type: string;
  name: string;
  endpoints: CatalogEndpoint[];
}

export interface ClientOptions {
  timeoutMs?: number;
}

export class OpenStackClient {
  private constructor(
    readonly credentials: CloudCredentials,
    private readonly token: string,
    readonly projectId: string,
    readonly catalog: readonly CatalogService[],
    private readonly timeoutMs: number,
    /** Every request to this cloud goes through it (its CA, client certificate, verification). */
    readonly fetch: CloudFetch,
  ) {}

  static async authenticate(credentials: CloudCredentials, options: ClientOptions = {}): Promise<OpenStackClient> {
    const timeoutMs = options.timeoutMs ?? 15_000;
    const a = credentials.auth;
    const url = `${a.authUrl.replace(/\/+$/, '')}/auth/tokens`;
    const http = cloudFetch(credentials);
    let res: Response;
    try {
      res = await http(url, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', Accept: 'application/json' },
        body: JSON.stringify(tokenRequest(a)),
        signal: AbortSignal.timeout(timeoutMs),
      });
    } catch (err) {
      throw unreachable(credentials, a.authUrl, err);
    }
    const body = await readJson(res);
    if (res.status === 401) {
      const detail = keystoneMessage(body);
      throw a.type === 'password'
        ? new StormError(
            'cloud',
            `cloud "${credentials.cloudName}" rejected the credentials of user "${a.username ?? a.userId ?? '?'}": wrong username or password${detail !== undefined ? ` (${detail})` : ''}`,
            { hint: 'check auth.password in secure.yaml / OS_PASSWORD, auth.username and the user domain' },
          )
        : a.type === 'token'
          ? new StormError(
              'cloud',
              `cloud "${credentials.cloudName}" rejected the token: it has expired or was revoked${detail !== undefined ? ` (${detail})` : ''}`,
              { hint: 'issue a new one (`openstack token issue`) and update auth.token / OS_TOKEN' },
            )
          : new StormError(
              'cloud',
              `cloud "${credentials.cloudName}" rejected application credential "${a.applicationCredentialId ?? a.applicationCredentialName ?? '?'}": it has expired, was deleted, or the secret is wrong`,
              {
                hint: 'create a new one with `openstack application credential create` and update clouds.yaml / secure.yaml',
              },
            );
    }
    if (res.status === 404)
      throw new StormError('cloud', `no Keystone v3 token API at ${url} (HTTP 404)`, {
        hint: 'auth_url must point at the identity v3 endpoint, usually ending in /v3',
      });
    if (res.status !== 201 && res.status !== 200)
      throw new StormError(
        'cloud',
        `cloud "${credentials.cloudName}": token request failed with HTTP ${res.status}${describeBody(body)}`,
      );
    const token = res.headers.get('x-subject-token');
    const tokenBody = isRecord(body) && isRecord(body.token) ? body.token : undefined;
    if (token === null || tokenBody === undefined)
      throw new StormError('cloud', `cloud "${credentials.cloudName}": the identity service answered without a token`);
    const expiresAt = typeof tokenBody.expires_at === 'string' ? Date.parse(tokenBody.expires_at) : NaN;
    if (!Number.isNaN(expiresAt) && expiresAt < Date.now())
      throw new StormError(
        'cloud',
        `cloud "${credentials.cloudName}" issued a token that is already expired (${String(tokenBody.expires_at)})`,
        { hint: "check this machine's clock" },
      );
    const project = isRecord(tokenBody.project) ? tokenBody.project : undefined;
    if (project === undefined || typeof project.id !== 'string')
      throw new StormError('cloud', `cloud "${credentials.cloudName}": the token is not scoped to a project`, {
        hint: 'set auth.project_name (and project_domain_name) or auth.project_id',
      });
    return new OpenStackClient(credentials, token, project.id, parseCatalog(tokenBody.catalog), timeoutMs, http);
  }

  /** The endpoint of a service type in the configured region and interface. */
  endpoint(serviceTypes: readonly string[]): string {
    const iface = this.credentials.interface ?? 'public';
    const region = this.credentials.regionName;
    for (const type of serviceTypes) {
      const svc = this.catalog.find((s) => s.type === type);
      if (svc === undefined) continue;
      const ep = svc.endpoints.find(
        (e) =>
          (e.interface === iface || e.interface === `${iface}URL`) && (region === undefined || e.region === region),
      );
      if (ep !== undefined) return ep.url.replace(/\/+$/, '');
      const regions = [...new Set(svc.endpoints.map((e) => e.region ?? '?'))].sort();
      throw new StormError(
        'cloud',
        `cloud "${this.credentials.cloudName}" has no ${iface} ${type} endpoint${region !== undefined ? ` in region "${region}"` : ''}`,
        {
          hint: `the catalog lists regions ${regions.join(', ')}; set cloud.region in the manifest (per environment if need be) to one of them`,
        },
      );
    }
    throw new StormError(
      'cloud',
      `cloud "${this.credentials.cloudName}" offers no ${serviceTypes.join('/')} service in its catalog`,
    );
  }

  hasService(serviceTypes: readonly string[]): boolean {
    return this.catalog.some((s) => serviceTypes.includes(s.type));
  }

  /** GET a path under a service's endpoint and return its JSON body. */
  async get(serviceTypes: readonly string[], path: string, headers: Record<string, string> = {}): Promise<unknown> {
    const base = this.endpoint(serviceTypes);
    const url = `${base}${path}`;
    let res: Response;
    try {
      res = await this.fetch(url, {
        headers: { 'X-Auth-Token': this.token, Accept: 'application/json', ...headers },
        signal: AbortSignal.timeout(this.timeoutMs),
      });
    } catch (err) {
      throw unreachable(this.credentials, base, err);
    }
    const body = await readJson(res);
    if (res.status >= 400)
      throw new OpenStackHttpError(`GET ${url} → HTTP ${res.status}${describeBody(body)}`, res.status);
    return body;
  }
  /**
   * GET (or HEAD) a path under a service's endpoint and return its headers with the
   * JSON body: object storage says what a container is (ACLs, versioning, metadata)
   * in headers only.
   */
  async getWithHeaders(
    serviceTypes: readonly string[],
    path: string,
    method: 'GET' | 'HEAD' = 'GET',
  ): Promise<{ status: number; headers: Headers; body: unknown }> {
    const base = this.endpoint(serviceTypes);
    const url = `${base}${path}`;
    let res: Response;
    try {
      res = await this.fetch(url, {
        method,
        headers: { 'X-Auth-Token': this.token, Accept: 'application/json' },
        signal: AbortSignal.timeout(this.timeoutMs),
      });
    } catch (err) {
      throw unreachable(this.credentials, base, err);
    }
    const body = method === 'HEAD' ? undefined : await readJson(res);
    if (res.status >= 400)
      throw new OpenStackHttpError(`${method} ${url} → HTTP ${res.status}${describeBody(body)}`, res.status);
    return { status: res.status, headers: res.headers, body };
  }

  /** POST a JSON body to a path under a service's endpoint and return the JSON answer. */
  async post(serviceTypes: readonly string[], path: string, body: unknown): Promise<unknown> {
    const base = this.endpoint(serviceTypes);
    const url = `${base}${path}`;
    let res: Response;
    try {
      res = await this.fetch(url, {
        method: 'POST',
        headers: { 'X-Auth-Token': this.token, Accept: 'application/json', 'Content-Type': 'application/json' },
        body: JSON.stringify(body),
        signal: AbortSignal.timeout(this.timeoutMs),
      });
    } catch (err) {
      throw unreachable(this.credentials, base, err);
    }
    const answer = await readJson(res);
    if (res.status >= 400)
      throw new OpenStackHttpError(`POST ${url} → HTTP ${res.status}${describeBody(answer)}`, res.status);
    return answer;
  }

  /** Headers that authenticate a request made elsewhere (the deploy step's object-store calls); never logged. */
  authHeaders(): Record<string, string> {
    return { 'X-Auth-Token': this.token };
  }
}

/** An HTTP error answer from a service (kept apart so callers can fall back on 404). */
export class OpenStackHttpError extends StormError {
  constructor(
    message: string,
    readonly status: number,
  ) {
    super('cloud', message);
  }
}

/** The project a password or token auth is scoped to (by id, or by name in its domain); none when unnamed. */
function projectScope(a: {
  projectId?: string | undefined;
  projectName?: string | undefined;
  projectDomainId?: string | undefined;
  projectDomainName?: string | undefined;
}): { project: Record<string, unknown> } | undefined {
  if (a.projectId !== undefined) return { project: { id: a.projectId } };
  if (a.projectName === undefined) return undefined;
  const domain =
    a.projectDomainId !== undefined ? { id: a.projectDomainId } : { name: a.projectDomainName ?? 'Default' };
  return { project: { name: a.projectName, domain } };
}

function tokenRequest(a: CloudAuth): unknown {
  switch (a.type) {
    case 'password': {
      const user: Record<string, unknown> = { password: a.password };
      if (a.userId !== undefined) user.id = a.userId;
      else {
        user.name = a.username;
        user.domain = a.userDomainId !== undefined ? { id: a.userDomainId } : { name: a.userDomainName ?? 'Default' };
      }
      const scope = projectScope(a);
      return {
        auth: { identity: { methods: ['password'], password: { user } }, ...(scope === undefined ? {} : { scope }) },
      };
    }
    case 'token': {
      const scope = projectScope(a);
      return {
        auth: {
          identity: { methods: ['token'], token: { id: a.token } },
          ...(scope === undefined ? {} : { scope }),
        },
      };
    }
    case 'v3applicationcredential': {
      const cred: Record<string, unknown> = { secret: a.applicationCredentialSecret };
      if (a.applicationCredentialId !== undefined) cred.id = a.applicationCredentialId;
      else {
        cred.name = a.applicationCredentialName;
        cred.user = { name: a.username, domain: { name: a.userDomainName ?? 'Default' } };
      }
      return { auth: { identity: { methods: ['application_credential'], application_credential: cred } } };
    }
  }
}

function parseCatalog(raw: unknown): CatalogService[] {
  if (!Array.isArray(raw)) return [];
  const out: CatalogService[] = [];
  for (const s of raw) {
    if (!isRecord(s) || typeof s.type !== 'string') continue;
    const endpoints: CatalogEndpoint[] = [];
    for (const e of Array.isArray(s.endpoints) ? s.endpoints : []) {
      if (!isRecord(e) || typeof e.url !== 'string') continue;
      endpoints.push({
        interface: typeof e.interface === 'string' ? e.interface : 'public',
        region: typeof e.region_id === 'string' ? e.region_id : typeof e.region === 'string' ? e.region : undefined,
        url: e.url,
      });
    }
    out.push({ type: s.type, name: typeof s.name === 'string' ? s.name : s.type, endpoints });
  }
  return out;
}

function unreachable(credentials: CloudCredentials, url: string, err: unknown): StormError {
  // A refused certificate is already a StormError that names the cloud and the setting to fix.
  if (err instanceof StormError) return err;
  const cause =
    err instanceof HttpFetchError
      ? err.code
      : err instanceof Error
        ? ((err.cause as { code?: string } | undefined)?.code ?? err.name)
        : String(err);
  const reason = cause === 'TimeoutError' ? 'no answer in time' : cause;
  return new StormError('cloud', `cannot reach cloud "${credentials.cloudName}" at ${url} (${reason})`, {
    hint: 'check auth_url, the network/VPN and that the endpoint is up',
  });
}

async function readJson(res: Response): Promise<unknown> {
  const text = await res.text();
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}

function keystoneMessage(body: unknown): string | undefined {
  return isRecord(body) && isRecord(body.error) && typeof body.error.message === 'string'
    ? body.error.message
    : undefined;
}

/** The message of an OpenStack error body, whichever service's shape it has. */
function describeBody(body: unknown): string {
  if (isRecord(body)) {
    for (const v of Object.values(body)) {
      if (isRecord(v) && typeof v.message === 'string') return `: ${v.message}`;
    }
  }
  if (typeof body === 'string') {
    const text = body
      .replace(/<[^>]+>/g, ' ')
      .replace(/\s+/g, ' ')
      .trim();
    return text === '' ? '' : `: ${text.slice(0, 200)}`;
  }
  return '';
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
