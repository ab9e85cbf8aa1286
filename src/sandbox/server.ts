/**
 * The sandbox server: one Fastify instance on one port, every OpenStack
 * service under its devstack-style prefix, state in SQLite under the data dir.
 * Core concerns live here: request ids, the request log, fault injection,
 * token authentication, body parsing, errors and 404s in each service's style.
 */
import { DEFAULT_FLOATING_CIDR, floatingRange, internalCidrFor } from './core/floating-range';
import { randomBytes, randomUUID } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import type { AuthInfo, ErrorStyle, SandboxContext, SandboxService, ServiceType } from './core/context';
import { SandboxHttpError, styledError, swiftDefaultMessage, unauthorizedError } from './core/errors';
import { FaultInjector, type FaultDecision, type FaultService, parseFaultSpec } from './core/faults';
import { type SandboxLogins, ensureLogins, generateLogins } from './core/logins';
import { SqliteStore, type Store } from './core/store';
import { ensureSandboxTls, ephemeralSandboxTls } from './core/tls';
import { TokenRegistry, authInfoOf } from './core/tokens';
import { blockStorageService } from './services/block-storage';
import { computeService } from './services/compute';
import { adoptLogins, createIdentityService, ensureCatalogEntries, projectIdByName } from './services/identity';
import { createImageService } from './services/image';
import { dnsService } from './services/dns';
import { keyManagerService } from './services/key-manager';
import { loadBalancerService } from './services/load-balancer';
import { networkService } from './services/network';
import { createObjectStoreService } from './services/object-store';
import { type ServiceRunner, startServiceRunner } from './service-runner';
import { type DataPlane, startDataPlane } from './lb-dataplane';
import { HOSTS_FILE, refreshHostsFile } from './hosts-file';

export interface SandboxOptions {
  /** 0 picks a free port. Default 8800. */
  port?: number;
  /** Default 127.0.0.1 (loopback only). */
  host?: string;
  /** Where the database, blobs and request log live; ':memory:' keeps nothing on disk. */
  dataDir: string;
  /** Delay of asynchronous status transitions; default 300. */
  statusDelayMs?: number;
  /** Loopback /24 of floating IPs (seeded once); default 127.42.0.0/24. */
  floatingCidr?: string;
  /** Token lifetime; default 3600. */
  tokenTtlSeconds?: number;
  /** Fault spec (grammar in SPEC.md); default none. */
  faults?: string;
  /** Seed of the fault PRNG; default random (reported by the server). */
  faultSeed?: number;
  /** Called with every JSON answer (conformance tests record and validate them). */
  onJsonResponse?: (r: RecordedResponse) => void;
  /** Clock override for tests. */
  now?: () => Date;
  /** Diagnostic lines (start-up, unexpected errors). */
  log?: (line: string) => void;
  /**
   * Let Glance's web-download fetch loopback, link-local and private addresses
   * (default false: a tenant's URL must not reach the host's own network).
   */
  allowPrivateImports?: boolean;
  /**
   * Serve HTTPS with a certificate signed by the sandbox's own CA (<data>/tls/ca.pem; in memory for a
   * ':memory:' sandbox), so clients exercise `cacert` as against a cloud behind a private CA.
   */
  tls?: boolean;
}

export interface Sandbox {
  app: FastifyInstance;
  /** e.g. http://127.0.0.1:8800 */
  url: string;
  ctx: SandboxContext;
  store: Store;
  faultSeed: number;
  /** Passwords of the seeded users admin and demo (also in <data>/logins.json). */
  logins: SandboxLogins;
  /** With `tls`: the CA clients must trust (PEM), and its file for a persistent sandbox. */
  caPem?: string;
  caFile?: string;
  close(): Promise<void>;
}

/** One line of <data>/requests.log (JSON lines). */
export interface RequestLogEntry {
  time: string;
  requestId: string;
  service: string;
  method: string;
  path: string;
  status: number;
  ms: number;
  /** Rules of the fault spec that fired on this request. */
  fault?: string[];
}

/** A JSON answer as the conformance tests see it. */
export interface RecordedResponse {
  service: ServiceType | undefined;
  method: string;
  /** Path and query below the host, with the service prefix (e.g. /networking/v2.0/ports?device_id=x). */
  path: string;
  status: number;
  body: unknown;
  /** The `OpenStack-API-Version` the answer announced (Nova, Cinder), e.g. "compute 2.1". */
  apiVersion?: string;
}

const REQUEST_LOG_MAX_BYTES = 64 * 1024 * 1024;
/** Any request body: an API document is far smaller (OpenStack's own limit, oslo sizelimit, is 112 KiB). */
export const BODY_LIMIT = 1024 * 1024;
/** Image and object uploads (the whole body is held in memory). */
export const UPLOAD_BODY_LIMIT = 256 * 1024 * 1024;
/** Requests answered at once; more get 503 (a client retries) rather than exhausting memory. */
export const MAX_CONCURRENT_REQUESTS = 128;

/** The routes whose body is bytes to store, not an API document: they get UPLOAD_BODY_LIMIT. */
function isUploadRoute(method: string | string[], url: string): boolean {
  const methods = Array.isArray(method) ? method : [method];
  if (!methods.includes('PUT')) return false;
  return /^\/image\/v2\/images\/:id\/(file|stage)$/.test(url) || url === '/object-store/v1/:account/:container/*';
}
import { BLOB_DIR, DEFAULT_PORT, REQUEST_LOG_FILE, STORM_PROJECT } from './core/layout';

export { BLOB_DIR, DEFAULT_PORT, REQUEST_LOG_FILE };
export const SEED_KIND = 'core.meta';

interface Mounted {
  service: SandboxService;
  style: ErrorStyle;
  fault: Exclude<FaultService, '*'>;
}

const STYLE_OF: Record<ServiceType, ErrorStyle> = {
  identity: 'keystone',
  compute: 'nova',
  network: 'neutron',
  volumev3: 'cinder',
  image: 'glance',
  'object-store': 'swift',
  'load-balancer': 'octavia',
  dns: 'designate',
  'key-manager': 'barbican',
};

const FAULT_SERVICE_OF: Record<ServiceType, Exclude<FaultService, '*'>> = {
  identity: 'identity',
  compute: 'compute',
  network: 'network',
  volumev3: 'volume',
  image: 'image',
  'object-store': 'object-store',
  'load-balancer': 'load-balancer',
  dns: 'dns',
  'key-manager': 'key-manager',
};

/** Service modules in seed order: identity first (others look up its projects). */
function serviceList(core: {
  tokens: TokenRegistry;
  tokenTtlSeconds: number;
  logins: SandboxLogins;
  blobDir: string;
  allowPrivateImports: boolean;
}): SandboxService[] {
  const list: SandboxService[] = [];
  list.push(
    createIdentityService({
      tokens: core.tokens,
      tokenTtlSeconds: core.tokenTtlSeconds,
      logins: core.logins,
      services: () => list,
    }),
  );
  list.push(
    createImageService({ blobDir: path.join(core.blobDir, 'images'), allowPrivateImports: core.allowPrivateImports }),
  );
  list.push(createObjectStoreService({ blobDir: path.join(core.blobDir, 'objects') }));
  list.push(networkService, blockStorageService, computeService, loadBalancerService, dnsService, keyManagerService);
  return list;
}

interface RequestState {
  start: bigint;
  requestId: string;
  mounted: Mounted | undefined;
  fault: string[] | undefined;
}

declare module 'fastify' {
  interface FastifyRequest {
    sandbox: RequestState;
  }
}

function swiftTransId(): string {
  return `tx${randomBytes(11).toString('hex').slice(0, 21)}-${Math.floor(Date.now() / 1000)
    .toString(16)
    .padStart(10, '0')}`;
}

function firstHeader(v: string | string[] | undefined): string | undefined {
  return Array.isArray(v) ? v[0] : v;
}

export async function createSandbox(opts: SandboxOptions): Promise<Sandbox> {
  const host = opts.host ?? '127.0.0.1';
  const log = opts.log ?? (() => undefined);
  const persistent = opts.dataDir !== ':memory:';
  // Random passwords per data directory (0600 file in a 0700 directory); a ':memory:' sandbox keeps them in memory.
  const { logins, created: newLogins } = persistent
    ? ensureLogins(opts.dataDir)
    : { logins: generateLogins(), created: true };
  const store = new SqliteStore(opts.dataDir);
  const now = opts.now ?? (() => new Date());
  const tokens = new TokenRegistry(store, now);
  const faultSeed = opts.faultSeed ?? randomBytes(4).readUInt32BE(0);
  const faults = new FaultInjector(parseFaultSpec(opts.faults ?? ''), faultSeed);
  // A ':memory:' sandbox still needs somewhere for bytes; it gets a temp dir removed on close.
  const blobDir = persistent
    ? path.join(opts.dataDir, BLOB_DIR)
    : fs.mkdtempSync(path.join(os.tmpdir(), 'storm-sandbox-'));
  const services = serviceList({
    tokens,
    tokenTtlSeconds: opts.tokenTtlSeconds ?? 3600,
    logins,
    blobDir,
    allowPrivateImports: opts.allowPrivateImports ?? false,
  });
  const mounted: Mounted[] = services.map((service) => ({
    service,
    style: STYLE_OF[service.type],
    fault: FAULT_SERVICE_OF[service.type],
  }));
  const hangs = new Set<() => void>();

  const tls =
    opts.tls !== true ? undefined : persistent ? ensureSandboxTls(opts.dataDir, [host]) : ephemeralSandboxTls([host]);
  const scheme = tls === undefined ? 'http' : 'https';
  const app = Fastify({
    ...(tls === undefined ? {} : { https: { key: tls.keyPem, cert: tls.certPem } }),
    logger: false,
    // Swift object names may be long; OpenStack ids are never close to this.
    routerOptions: { maxParamLength: 2048 },
    bodyLimit: BODY_LIMIT,
    return503OnClosing: true,
    forceCloseConnections: true,
    // No route declares a Fastify schema (each service validates as its real
    // counterpart words it); skipping the default compilers keeps ajv and
    // fast-json-stringify out of start-up (~70 ms).
    schemaController: {
      compilersFactory: {
        buildValidator: () => () => {
          throw new Error('sandbox routes validate their own input; Fastify route schemas are not supported');
        },
        buildSerializer: () => () => (data: unknown) => JSON.stringify(data),
      },
    },
  });

  const identityUri = (): string => `${ctx.publicUrl}/identity`;
  const ctx: SandboxContext = {
    store,
    now,
    newId: () => randomUUID(),
    publicUrl: `${scheme}://${host}:${opts.port ?? DEFAULT_PORT}`,
    statusDelayMs: opts.statusDelayMs ?? 300,
    floatingRange: floatingRange(opts.floatingCidr ?? DEFAULT_FLOATING_CIDR),
    authenticate(req: FastifyRequest, style: ErrorStyle): AuthInfo {
      const token = firstHeader(req.headers['x-auth-token']);
      if (token === undefined || token === '') throw unauthorizedError(style, identityUri(), swiftAccountOf(req));
      const checked = tokens.check(token);
      // Services only accept project-scoped tokens; Keystone accepts unscoped ones too.
      if (!checked.ok || (style !== 'keystone' && checked.record.projectId === undefined))
        throw unauthorizedError(style, identityUri(), swiftAccountOf(req));
      return authInfoOf(token, checked.record);
    },
    projectName(projectId: string): string | undefined {
      return store.get<{ name: string }>('identity.project', projectId)?.name;
    },
    log,
  };

  const logFile = path.join(opts.dataDir, REQUEST_LOG_FILE);
  if (persistent) rotateIfLarge(logFile);
  const logStream = persistent ? fs.createWriteStream(logFile, { flags: 'a' }) : undefined;

  const mountedFor = (url: string): Mounted | undefined => {
    for (const m of mounted) {
      const p = m.service.prefix;
      if (url === p || url.startsWith(`${p}/`) || url.startsWith(`${p}?`)) return m;
    }
    return undefined;
  };

  // Bodies: JSON (empty allowed: clients send Content-Type on bodiless DELETEs),
  // Glance's json-patch, and raw bytes for everything else (uploads, Swift objects).
  app.removeContentTypeParser(['application/json', 'text/plain']);
  const jsonParser = (_req: FastifyRequest, body: string, done: (err: Error | null, value?: unknown) => void): void => {
    if (body.trim() === '') {
      done(null, undefined);
      return;
    }
    try {
      done(null, JSON.parse(body));
    } catch (e) {
      const err = new Error(`Malformed JSON in request body: ${(e as Error).message}`) as Error & {
        statusCode: number;
      };
      err.statusCode = 400;
      done(err);
    }
  };
  app.addContentTypeParser(
    [
      'application/json',
      'application/openstack-images-v2.1-json-patch',
      'application/openstack-images-v2.0-json-patch',
    ],
    { parseAs: 'string' },
    jsonParser,
  );
  app.addContentTypeParser('*', { parseAs: 'buffer' }, (_req, body, done) => done(null, body));

  app.decorateRequest('sandbox', null as unknown as RequestState);
  app.addHook('onRoute', (route) => {
    if (isUploadRoute(route.method, route.url)) route.bodyLimit = UPLOAD_BODY_LIMIT;
  });

  let inFlight = 0;
  app.addHook('onRequest', async (req, reply) => {
    const m = mountedFor(req.url);
    const state: RequestState = { start: process.hrtime.bigint(), requestId: '', mounted: m, fault: undefined };
    req.sandbox = state;
    if (m?.style === 'swift') {
      state.requestId = swiftTransId();
      reply.header('x-trans-id', state.requestId);
    } else {
      state.requestId = `req-${randomUUID()}`;
      if (m?.style === 'nova' || m?.style === 'cinder') reply.header('x-compute-request-id', state.requestId);
    }
    reply.header('x-openstack-request-id', state.requestId);
    const style = m?.style ?? 'keystone';
    // A web page the user visits can make the browser send requests here under its own
    // name (DNS rebinding): only a loopback name or address with this port is this sandbox.
    if (!hostAllowed(req.headers.host, host, ctx.publicUrl))
      throw styledError(
        style,
        400,
        `Host header ${JSON.stringify(req.headers.host ?? '')} is not this sandbox (a loopback name or address with port ${new URL(ctx.publicUrl).port}); refused against DNS rebinding.`,
      );
    inFlight += 1;
    reply.raw.once('close', () => {
      inFlight -= 1;
    });
    if (inFlight > MAX_CONCURRENT_REQUESTS) {
      const busy = styledError(style, 503, swiftDefaultMessage(503));
      throw new SandboxHttpError(busy.status, busy.body, { ...busy.headers, 'retry-after': '1' });
    }
    if (m === undefined || !faults.active) return;
    const below = req.url.slice(m.service.prefix.length).split('?')[0] ?? '';
    const decision: FaultDecision = faults.decide(m.fault, req.method, below === '' ? '/' : below);
    if (decision.fired.length === 0) return;
    state.fault = decision.fired;
    if (decision.latencyMs > 0) await new Promise((r) => setTimeout(r, decision.latencyMs));
    const failure = decision.failure;
    if (failure === undefined) return;
    switch (failure.kind) {
      case 'status':
        throw styledError(m.style, failure.status, faultMessage(failure.status));
      case 'hang':
        // Held until the client gives up or the server closes.
        await new Promise<void>((resolve) => {
          const release = (): void => {
            hangs.delete(release);
            resolve();
          };
          hangs.add(release);
          req.raw.once('close', release);
        });
        throw styledError(m.style, 503, faultMessage(503));
      case 'reset':
        // No answer at all: the client sees the connection drop (ECONNRESET / EOF).
        logRequest(req, 0);
        reply.hijack();
        req.raw.socket.destroy();
        return;
    }
  });

  const onJson = opts.onJsonResponse;
  if (onJson !== undefined) {
    app.addHook('onSend', async (req, reply, payload) => {
      const type = String(reply.getHeader('content-type') ?? '');
      if (typeof payload === 'string' && payload !== '' && type.includes('json')) {
        try {
          const apiVersion = reply.getHeader('openstack-api-version');
          onJson({
            service: req.sandbox?.mounted?.service.type,
            method: req.method,
            path: req.url,
            status: reply.statusCode,
            body: JSON.parse(payload),
            ...(typeof apiVersion === 'string' ? { apiVersion } : {}),
          });
        } catch {
          // not JSON after all: nothing to record
        }
      }
      return payload;
    });
  }

  /** One request-log line; status 0 means the connection was dropped without an answer. */
  const logRequest = (req: FastifyRequest, status: number): void => {
    const st = req.sandbox;
    if (logStream === undefined || st === null) return;
    const entry: RequestLogEntry = {
      time: new Date().toISOString(),
      requestId: st.requestId,
      service: st.mounted?.service.type ?? '-',
      method: req.method,
      path: redactUrl(req.url),
      status,
      ms: Math.round(Number(process.hrtime.bigint() - st.start) / 1e4) / 100,
    };
    if (st.fault !== undefined) entry.fault = st.fault;
    logStream.write(`${JSON.stringify(entry)}\n`);
  };
  app.addHook('onResponse', async (req, reply) => logRequest(req, reply.statusCode));
  // A VM's updater notices a new release within its polling period; the service runner
  // plays that VM but needs no such delay: an object written to storage starts a reconcile.
  const runnerRef: { current?: ServiceRunner } = {};
  const dataPlaneRef: { current?: DataPlane } = {};
  app.addHook('onResponse', async (req, reply) => {
    if (req.method === 'PUT' && reply.statusCode === 201 && req.url.startsWith('/object-store/'))
      runnerRef.current?.kick();
    // A change to a load balancer or a floating IP: the data plane looks again at once.
    if (
      req.method !== 'GET' &&
      reply.statusCode < 300 &&
      (req.url.startsWith('/load-balancer/') || req.url.startsWith('/networking/v2.0/floatingips'))
    )
      dataPlaneRef.current?.kick();
  });

  app.setErrorHandler(async (error: unknown, req, reply) => sendError(req, reply, error, log, identityUri()));
  app.setNotFoundHandler(async (req, reply) => {
    const m = req.sandbox?.mounted ?? mountedFor(req.url);
    const err =
      m === undefined
        ? new SandboxHttpError(404, {
            error: { code: 404, message: 'The resource could not be found.', title: 'Not Found' },
          })
        : notFoundFor(m.style);
    return sendError(req, reply, err, log, identityUri());
  });

  for (const m of mounted) {
    await app.register(
      async (scope) => {
        await m.service.register(scope, ctx);
      },
      { prefix: m.service.prefix },
    );
  }

  app.get('/', async () => ({
    versions: mounted.map((m) => ({ service: m.service.type, url: `${ctx.publicUrl}${m.service.prefix}` })),
  }));

  const seededBefore = store.get(SEED_KIND, 'seed:identity') !== undefined;
  seedIfEmpty(ctx, services);
  if (seededBefore && newLogins)
    store.transaction(() => adoptLogins(ctx, logins, (ids) => tokens.revokeWhere((r) => ids.has(r.userId))));
  tokens.purgeExpired();

  await app.listen({ port: opts.port ?? DEFAULT_PORT, host });
  const address = app.server.address();
  const port = typeof address === 'object' && address !== null ? address.port : (opts.port ?? DEFAULT_PORT);
  ctx.publicUrl = `${scheme}://${host}:${port}`;
  // Instances that carry a storm service run it as a local process (issue 7); a ':memory:' sandbox keeps no files to run from.
  const runner = persistent
    ? startServiceRunner({
        store,
        dataDir: opts.dataDir,
        sandboxUrl: () => ctx.publicUrl,
        ...(tls === undefined ? {} : { trustedCa: tls.caPem }),
        record: (e) => logStream?.write(`${JSON.stringify(e)}\n`),
        stormProjectId: () => projectIdByName(ctx, STORM_PROJECT),
        internalCidr: internalCidrFor(ctx.floatingRange.cidr),
      })
    : undefined;
  runnerRef.current = runner;
  const hostsState: { text?: string } = {};
  // Load balancers with a floating IP on their VIP carry traffic to the members the runner runs.
  const dataPlane = startDataPlane({
    ctx,
    apiPort: () => port,
    serviceAddress: (serverId) =>
      runner?.running().find((r) => r.serverId === serverId && r.pid !== undefined)?.address,
    record: (e) => logStream?.write(`${JSON.stringify(e)}\n`),
    ...(persistent ? { afterPass: () => refreshHostsFile(ctx, path.join(opts.dataDir, HOSTS_FILE), hostsState) } : {}),
  });
  dataPlaneRef.current = dataPlane;

  let closed = false;
  return {
    app,
    url: ctx.publicUrl,
    ctx,
    store,
    faultSeed,
    logins,
    ...(tls === undefined ? {} : { caPem: tls.caPem }),
    ...(tls?.caFile === undefined ? {} : { caFile: tls.caFile }),
    async close(): Promise<void> {
      if (closed) return;
      closed = true;
      for (const release of [...hangs]) release();
      await dataPlane.stop();
      await runner?.stop();
      await app.close();
      if (logStream !== undefined) await new Promise<void>((r) => logStream.end(r));
      store.close();
      if (!persistent) fs.rmSync(blobDir, { recursive: true, force: true });
    },
  };
}

/** Query parameters that carry a secret (Swift's temp URL signature, tokens, passwords): never written to the log. */
const SECRET_PARAM =
  /^(temp_url_sig|signature|sig|x-amz-signature|x-amz-credential|token|auth_token|x-auth-token|password|.*secret.*)$/i;

/** The URL as the request log keeps it: secret query values replaced by `***`. */
export function redactUrl(url: string): string {
  const q = url.indexOf('?');
  if (q < 0) return url;
  const parts = url
    .slice(q + 1)
    .split('&')
    .map((pair) => {
      const eq = pair.indexOf('=');
      const name = eq < 0 ? pair : pair.slice(0, eq);
      let decoded = name;
      try {
        decoded = decodeURIComponent(name.replace(/\+/g, ' '));
      } catch {
        // undecodable: judged as written
      }
      return eq >= 0 && SECRET_PARAM.test(decoded) ? `${name}=***` : pair;
    });
  return `${url.slice(0, q)}?${parts.join('&')}`;
}

const LOOPBACK_NAMES = new Set(['localhost', 'localhost.', '[::1]']);

/** Whether a Host header names this sandbox: a loopback name or address (or the host it listens on) and its port. */
export function hostAllowed(header: string | undefined, listenHost: string, publicUrl: string): boolean {
  if (header === undefined) return false;
  const m = /^(\[[0-9a-fA-F:.]+\]|[^:[\]]+):(\d+)$/.exec(header.trim());
  if (m === null) return false;
  const name = (m[1] ?? '').toLowerCase();
  if (m[2] !== new URL(publicUrl).port) return false;
  if (LOOPBACK_NAMES.has(name) || name === listenHost.toLowerCase()) return true;
  return /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(name) && name.split('.').every((p) => Number(p) <= 255);
}

/** Keeps one previous request log (requests.log.1) once the current one passes 64 MiB. */
function rotateIfLarge(file: string): void {
  try {
    if (fs.statSync(file).size > REQUEST_LOG_MAX_BYTES) fs.renameSync(file, `${file}.1`);
  } catch {
    // no log yet
  }
}

function swiftAccountOf(req: FastifyRequest): string | undefined {
  const m = /^\/object-store\/v1\/(AUTH_[^/?]+)/.exec(req.url);
  return m?.[1];
}

function faultMessage(status: number): string {
  return status === 503
    ? 'The server is currently unavailable. Please try again at a later time. (injected fault)'
    : `Injected fault: ${status}.`;
}

function notFoundFor(style: ErrorStyle): SandboxHttpError {
  switch (style) {
    case 'keystone':
      return styledError(style, 404, 'The resource could not be found.');
    case 'nova':
    case 'cinder':
      return styledError(style, 404, 'The resource could not be found.');
    case 'neutron':
      return styledError(style, 404, 'The resource could not be found.');
    case 'glance':
      return styledError(style, 404, 'The resource could not be found.');
    case 'swift':
      return styledError(style, 404, 'The resource could not be found.');
    case 'octavia':
    case 'designate':
    case 'barbican':
      return styledError(style, 404, 'The resource could not be found.');
  }
}

async function sendError(
  req: FastifyRequest,
  reply: FastifyReply,
  error: unknown,
  log: (line: string) => void,
  identityUri: string,
): Promise<FastifyReply> {
  const style = req.sandbox?.mounted?.style ?? 'keystone';
  let err: SandboxHttpError;
  if (error instanceof SandboxHttpError) err = error;
  else {
    const e = error as { statusCode?: number; message?: string; code?: string };
    const status = typeof e.statusCode === 'number' && e.statusCode >= 400 && e.statusCode < 600 ? e.statusCode : 500;
    if (status === 500)
      log(
        `unexpected error on ${req.method} ${req.url}: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`,
      );
    err = styledError(
      style,
      status,
      status === 500
        ? 'The server has either erred or is incapable of performing the requested operation.'
        : (e.message ?? 'Bad request'),
    );
  }
  reply.code(err.status);
  for (const [k, v] of Object.entries(err.headers)) reply.header(k, v);
  // Keystone names itself on every 401, whichever code path refused.
  if (err.status === 401 && style === 'keystone' && !('www-authenticate' in err.headers))
    reply.header('www-authenticate', `Keystone uri="${identityUri}/v3"`);
  if (req.method === 'HEAD') return reply.send();
  if (typeof err.body === 'string') {
    if (!('content-type' in err.headers)) reply.header('content-type', 'text/plain; charset=UTF-8');
    return reply.send(err.body);
  }
  reply.header('content-type', 'application/json');
  // Designate names the request in its error body.
  const body =
    style === 'designate' && typeof err.body === 'object' && err.body !== null && 'request_id' in err.body
      ? { ...err.body, request_id: req.sandbox?.requestId ?? '' }
      : err.body;
  return reply.send(JSON.stringify(body));
}

/**
 * Seeds each service once, on first start or when the service is new to this
 * database, each in one transaction; then makes sure the catalog lists them all.
 */
function seedIfEmpty(ctx: SandboxContext, services: readonly SandboxService[]): void {
  for (const s of services) {
    const marker = `seed:${s.type}`;
    if (ctx.store.get(SEED_KIND, marker) !== undefined) continue;
    ctx.store.transaction(() => {
      s.seed?.(ctx);
      ctx.store.insert(SEED_KIND, { id: marker, seededAt: ctx.now().toISOString() }, null);
    });
  }
  ctx.store.transaction(() => ensureCatalogEntries(ctx, services));
}
