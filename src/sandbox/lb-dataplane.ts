/**
 * The sandbox's load balancers carry traffic. A load balancer whose VIP port
 * has a floating IP (a loopback address of the sandbox's floating range)
 * listens there on each enabled listener's port and sends what arrives to the
 * members of the listener's default pool:
 *
 * - HTTP and TERMINATED_HTTPS listeners proxy each request (TLS terminated with
 *   the certificate container Barbican holds for `default_tls_container_ref`);
 *   TCP (and HTTPS, passed through) listeners join each connection to a member.
 * - ROUND_ROBIN, LEAST_CONNECTIONS and SOURCE_IP (and SOURCE_IP session
 *   persistence, or HTTP_COOKIE on HTTP); a member that refuses a connection is
 *   skipped for the next one, as haproxy redispatches.
 * - The health monitor runs for real (HTTP/HTTPS: `http_method` `url_path`,
 *   `expected_codes`; TCP/PING/TLS-HELLO: a connection), every `delay` seconds
 *   with `timeout`; `max_retries_down` failures take a member out (ERROR, no
 *   traffic), `max_retries` successes bring it back (ONLINE). The API reports it.
 * - L7 policies of an HTTP or TERMINATED_HTTPS listener: the first enabled one
 *   whose rules all match answers its redirect (REDIRECT_PREFIX, REDIRECT_TO_URL:
 *   HTTP → HTTPS), rejects (403) or picks its pool (REDIRECT_TO_POOL).
 * - A member with admin_state_up false is drained: no new requests or
 *   connections, the ones under way finish.
 *
 * Members: a member's address is a server's fixed IP; the sandbox sends to
 * where the service runner runs that server's service (the member's
 * protocol_port on the runner's address for the server). A member address in
 * 127.0.0.0/8 is used as it is. Nothing is ever sent outside 127.0.0.0/8, to the
 * sandbox's own API port, or to one of the data plane's own listeners; a member
 * with no reachable process is simply down. A listener binds only a loopback
 * floating IP of the sandbox's range, never the API's port.
 */
import { createHash } from 'node:crypto';
import * as http from 'node:http';
import * as https from 'node:https';
import * as net from 'node:net';
import * as tls from 'node:tls';
import type { SandboxContext } from './core/context';
import { certificateBundle } from './services/key-manager';
import { setObserved } from './services/load-balancer/health';
import {
  type HealthMonitorDoc,
  KIND,
  type L7PolicyDoc,
  type L7RuleDoc,
  type ListenerDoc,
  type LoadBalancerDoc,
  type MemberDoc,
  type PoolDoc,
} from './services/load-balancer/model';
import { settleAll } from './services/load-balancer/state';

export interface DataPlaneEvent {
  time: string;
  requestId: string;
  service: 'load-balancer';
  method: 'LISTEN' | 'CLOSE' | 'ERROR' | 'HEALTH';
  path: string;
  status: number;
  ms: number;
  message: string;
}

export interface DataPlaneOptions {
  ctx: SandboxContext;
  /** The sandbox API's own port: never a listener's, never a member's. */
  apiPort: () => number;
  /** Where the service runner runs a server's service (its address), if it does. */
  serviceAddress: (serverId: string) => string | undefined;
  record: (e: DataPlaneEvent) => void;
  /** Called after each pass of the loop (the sandbox keeps its hosts file fresh from here). */
  afterPass?: () => void;
  intervalMs?: number;
}

export interface DataPlane {
  /** What listens now: `<address>:<port>` per listener id. */
  listening(): { listenerId: string; address: string; port: number; protocol: string }[];
  /** Something changed in the API: reconcile now. */
  kick(): void;
  stop(): Promise<void>;
}

interface Target {
  host: string;
  port: number;
}

interface FloatingRow {
  floating_ip_address: string;
  port_id: string | null;
}

interface PortRow {
  id: string;
  device_id: string;
  project_id?: string;
  tenant_id?: string;
  fixed_ips: { subnet_id: string; ip_address: string }[];
}

interface Front {
  listenerId: string;
  signature: string;
  address: string;
  port: number;
  protocol: string;
  server: net.Server;
  sockets: Set<net.Socket>;
}

interface MemberHealth {
  status: 'ONLINE' | 'ERROR' | undefined;
  ups: number;
  downs: number;
  nextAt: number;
  probing: boolean;
}

const LOOPBACK = /^127\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/;
const MAX_REQUEST_BODY = 16 * 1024 * 1024;
const HOP_HEADERS = new Set([
  'connection',
  'keep-alive',
  'proxy-connection',
  'transfer-encoding',
  'upgrade',
  'te',
  'trailer',
]);

export function isLoopback(address: string): boolean {
  const m = LOOPBACK.exec(address);
  return m !== null && [m[1], m[2], m[3]].every((o) => Number(o) <= 255);
}

/** `expected_codes` as Octavia takes it: "200", "200,202", "200-204". */
export function codesMatch(expected: string | null, status: number): boolean {
  const spec = expected ?? '200';
  return spec.split(',').some((part) => {
    const [lo, hi] = part.trim().split('-');
    const a = Number(lo);
    const b = hi === undefined ? a : Number(hi);
    return Number.isInteger(a) && Number.isInteger(b) && status >= a && status <= b;
  });
}

/** A stable pick for SOURCE_IP: the same client address lands on the same member while the set is the same. */
export function sourceIndex(clientAddress: string, count: number): number {
  const h = createHash('sha256').update(clientAddress).digest();
  return h.readUInt32BE(0) % count;
}

export function startDataPlane(opts: DataPlaneOptions): DataPlane {
  const { ctx } = opts;
  const interval = opts.intervalMs ?? 250;
  const fronts = new Map<string, Front>();
  const health = new Map<string, MemberHealth>();
  const active = new Map<string, number>();
  const rr = new Map<string, number>();
  const failedListeners = new Map<string, string>();
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  let busy = false;
  let seq = 0;

  const event = (method: DataPlaneEvent['method'], p: string, status: number, message: string): void => {
    seq += 1;
    opts.record({
      time: new Date().toISOString(),
      requestId: `lb-${seq}`,
      service: 'load-balancer',
      method,
      path: p,
      status,
      ms: 0,
      message,
    });
  };

  const live = <T extends { provisioning_status: string; _pending: unknown }>(d: T): boolean =>
    d.provisioning_status !== 'PENDING_CREATE' &&
    d.provisioning_status !== 'PENDING_DELETE' &&
    d.provisioning_status !== 'DELETED';

  /** Where a member's traffic goes, or undefined when nothing can answer for it. */
  function targetOf(m: MemberDoc): Target | undefined {
    let host: string | undefined;
    const ports = ctx.store.list<PortRow>('network.port');
    const port = ports.find(
      (p) =>
        (p.project_id ?? p.tenant_id) === m.project_id &&
        p.fixed_ips.some((ip) => ip.ip_address === m.address && (m.subnet_id === null || ip.subnet_id === m.subnet_id)),
    );
    if (port !== undefined && port.device_id !== '') host = opts.serviceAddress(port.device_id);
    if (host === undefined && isLoopback(m.address)) host = m.address;
    if (host === undefined || !isLoopback(host)) return undefined;
    if (m.protocol_port === opts.apiPort()) return undefined;
    // Never one of our own listeners: a load balancer in front of itself would loop.
    for (const f of fronts.values()) if (f.address === host && f.port === m.protocol_port) return undefined;
    return { host, port: m.protocol_port };
  }

  function monitorOf(poolId: string): HealthMonitorDoc | undefined {
    return ctx.store
      .list<HealthMonitorDoc>(KIND.healthmonitor)
      .find((h) => h.pool_id === poolId && h.admin_state_up && live(h));
  }

  /** Members that may take a new request now, in a stable order. */
  function candidates(pool: PoolDoc): { member: MemberDoc; target: Target }[] {
    const monitored = monitorOf(pool.id) !== undefined;
    const out: { member: MemberDoc; target: Target }[] = [];
    for (const m of ctx.store.list<MemberDoc>(KIND.member)) {
      if (m.pool_id !== pool.id || !m.admin_state_up || !live(m) || m.weight === 0) continue;
      if (monitored && health.get(m.id)?.status === 'ERROR') continue;
      const target = targetOf(m);
      if (target !== undefined) out.push({ member: m, target });
    }
    out.sort((a, b) => a.member.id.localeCompare(b.member.id));
    return out;
  }

  /** The members to try, first choice first (the others follow for a redispatch). */
  function order(pool: PoolDoc, client: string, sticky: string | undefined): { member: MemberDoc; target: Target }[] {
    const all = candidates(pool);
    if (all.length === 0) return all;
    let first = 0;
    const stuck = sticky === undefined ? -1 : all.findIndex((c) => c.member.id === sticky);
    if (stuck >= 0) first = stuck;
    else if (pool.lb_algorithm === 'SOURCE_IP' || pool.session_persistence?.type === 'SOURCE_IP')
      first = sourceIndex(client, all.length);
    else if (pool.lb_algorithm === 'LEAST_CONNECTIONS') {
      const start = rr.get(pool.id) ?? 0;
      let best = Infinity;
      for (let i = 0; i < all.length; i += 1) {
        const idx = (start + i) % all.length;
        const n = active.get(all[idx]?.member.id ?? '') ?? 0;
        if (n < best) {
          best = n;
          first = idx;
        }
      }
      rr.set(pool.id, start + 1);
    } else {
      const n = rr.get(pool.id) ?? 0;
      first = n % all.length;
      rr.set(pool.id, n + 1);
    }
    return [...all.slice(first), ...all.slice(0, first)];
  }

  const track = (memberId: string, delta: number): void => {
    active.set(memberId, Math.max(0, (active.get(memberId) ?? 0) + delta));
  };

  function currentListener(id: string): { l: ListenerDoc; pool: PoolDoc | undefined } | undefined {
    const l = ctx.store.get<ListenerDoc>(KIND.listener, id);
    if (l === undefined) return undefined;
    const pool = l.default_pool_id === null ? undefined : ctx.store.get<PoolDoc>(KIND.pool, l.default_pool_id);
    return { l, pool: pool !== undefined && pool.admin_state_up && live(pool) ? pool : undefined };
  }

  type L7Decision =
    { kind: 'reject' } | { kind: 'redirect'; location: string; code: number } | { kind: 'pool'; pool: PoolDoc };

  /** The first enabled L7 policy (by position) whose rules all match, as haproxy applies them. */
  function l7Decision(listenerId: string, req: http.IncomingMessage): L7Decision | undefined {
    const policies = ctx.store
      .list<L7PolicyDoc>(KIND.l7policy)
      .filter((p) => p.listener_id === listenerId && p.admin_state_up && live(p))
      .sort((a, b) => a.position - b.position);
    for (const p of policies) {
      const rules = ctx.store.list<L7RuleDoc>(KIND.l7rule).filter((r) => r.l7policy_id === p.id && live(r));
      if (!policyMatches(rules, req)) continue;
      const code = p.redirect_http_code ?? 302;
      if (p.action === 'REJECT') return { kind: 'reject' };
      if (p.action === 'REDIRECT_PREFIX' && p.redirect_prefix !== null)
        return { kind: 'redirect', location: `${p.redirect_prefix.replace(/\/$/, '')}${req.url ?? '/'}`, code };
      if (p.action === 'REDIRECT_TO_URL' && p.redirect_url !== null)
        return { kind: 'redirect', location: p.redirect_url, code };
      if (p.action === 'REDIRECT_TO_POOL' && p.redirect_pool_id !== null) {
        const pool = ctx.store.get<PoolDoc>(KIND.pool, p.redirect_pool_id);
        if (pool !== undefined && pool.admin_state_up && live(pool)) return { kind: 'pool', pool };
      }
    }
    return undefined;
  }

  // ---- HTTP ----------------------------------------------------------------------------------

  function handleHttp(listenerId: string, scheme: 'http' | 'https') {
    return (req: http.IncomingMessage, res: http.ServerResponse): void => {
      const current = currentListener(listenerId);
      if (current === undefined) {
        res.writeHead(503).end();
        return;
      }
      const decision = l7Decision(listenerId, req);
      if (decision?.kind === 'reject') {
        res.writeHead(403, { 'content-type': 'text/plain' }).end('403 Forbidden\n');
        return;
      }
      if (decision?.kind === 'redirect') {
        res.writeHead(decision.code, { location: decision.location, 'content-length': '0' }).end();
        return;
      }
      const chosenPool = decision?.kind === 'pool' ? decision.pool : current.pool;
      const chunks: Buffer[] = [];
      let size = 0;
      req.on('data', (c: Buffer) => {
        size += c.length;
        if (size > MAX_REQUEST_BODY) {
          res.writeHead(413).end();
          req.destroy();
          return;
        }
        chunks.push(c);
      });
      req.on('end', () => {
        if (res.headersSent) return;
        const pool = chosenPool;
        if (pool === undefined) {
          res.writeHead(503, { 'content-type': 'text/plain' }).end('503 Service Unavailable: no pool\n');
          return;
        }
        const client = req.socket.remoteAddress ?? '';
        const cookieName = pool.session_persistence?.type === 'HTTP_COOKIE' ? 'SRV' : undefined;
        const sticky =
          cookieName === undefined ? undefined : /(?:^|;\s*)SRV=([0-9a-f-]{36})/.exec(req.headers.cookie ?? '')?.[1];
        const tries = order(pool, client, sticky);
        const body = Buffer.concat(chunks);
        const headers: http.OutgoingHttpHeaders = {};
        for (const [k, v] of Object.entries(req.headers)) if (!HOP_HEADERS.has(k) && v !== undefined) headers[k] = v;
        const insert = current.l.insert_headers;
        if (insert['X-Forwarded-For'] === 'true')
          headers['x-forwarded-for'] = [req.headers['x-forwarded-for'], client].filter(Boolean).join(', ');
        if (insert['X-Forwarded-Port'] === 'true') headers['x-forwarded-port'] = String(current.l.protocol_port);
        if (insert['X-Forwarded-Proto'] === 'true') headers['x-forwarded-proto'] = scheme;
        headers['content-length'] = String(body.length);
        const attempt = (i: number): void => {
          const c = tries[i];
          if (c === undefined) {
            if (!res.headersSent)
              res.writeHead(503, { 'content-type': 'text/plain' }).end('503 Service Unavailable: no member answers\n');
            return;
          }
          track(c.member.id, 1);
          let done = false;
          const finish = (): void => {
            if (done) return;
            done = true;
            track(c.member.id, -1);
          };
          const up = http.request(
            {
              host: c.target.host,
              port: c.target.port,
              method: req.method,
              path: req.url,
              headers,
              agent: false,
              timeout: current.l.timeout_member_data,
            },
            (answer) => {
              const out: http.OutgoingHttpHeaders = {};
              for (const [k, v] of Object.entries(answer.headers))
                if (!HOP_HEADERS.has(k) && v !== undefined) out[k] = v;
              if (cookieName !== undefined)
                out['set-cookie'] = [...(answer.headers['set-cookie'] ?? []), `SRV=${c.member.id}; path=/`];
              res.writeHead(answer.statusCode ?? 502, out);
              answer.pipe(res);
              answer.on('end', finish);
              answer.on('error', () => {
                finish();
                res.destroy();
              });
            },
          );
          up.on('timeout', () => up.destroy(new Error('member timeout')));
          up.on('error', (err: NodeJS.ErrnoException) => {
            finish();
            // Nothing was answered yet: the next member gets the request (haproxy's redispatch).
            if (!res.headersSent) attempt(i + 1);
            else res.destroy(err);
          });
          up.end(body);
        };
        attempt(0);
      });
    };
  }

  // ---- TCP -----------------------------------------------------------------------------------

  function handleTcp(listenerId: string) {
    return (socket: net.Socket): void => {
      const current = currentListener(listenerId);
      const pool = current?.pool;
      if (pool === undefined) {
        socket.destroy();
        return;
      }
      socket.pause();
      const tries = order(pool, socket.remoteAddress ?? '', undefined);
      const attempt = (i: number): void => {
        const c = tries[i];
        if (c === undefined) {
          socket.destroy();
          return;
        }
        const up = net.connect({ host: c.target.host, port: c.target.port });
        let connected = false;
        up.once('connect', () => {
          connected = true;
          track(c.member.id, 1);
          socket.pipe(up);
          up.pipe(socket);
          socket.resume();
        });
        up.on('error', () => {
          if (!connected) attempt(i + 1);
          else socket.destroy();
        });
        up.on('close', () => {
          if (connected) track(c.member.id, -1);
          socket.destroy();
        });
        socket.on('error', () => up.destroy());
        socket.on('close', () => up.destroy());
      };
      attempt(0);
    };
  }

  // ---- listeners -----------------------------------------------------------------------------

  interface Wanted {
    listener: ListenerDoc;
    address: string;
    signature: string;
    tlsOptions?: tls.SecureContextOptions;
  }

  function wanted(): Map<string, Wanted> {
    const out = new Map<string, Wanted>();
    const fips = ctx.store.list<FloatingRow>('network.floatingip');
    for (const lb of ctx.store.list<LoadBalancerDoc>(KIND.loadbalancer)) {
      if (!lb.admin_state_up || !live(lb)) continue;
      const fip = fips.find((f) => f.port_id === lb.vip_port_id);
      const address = fip?.floating_ip_address;
      if (address === undefined || !inFloatingRange(address)) continue;
      for (const l of ctx.store.list<ListenerDoc>(KIND.listener)) {
        if (l._lb !== lb.id || !l.admin_state_up || !live(l)) continue;
        if (!['HTTP', 'TCP', 'HTTPS', 'TERMINATED_HTTPS'].includes(l.protocol)) continue;
        if (l.protocol_port === opts.apiPort()) {
          failListener(l.id, `port ${l.protocol_port} is the sandbox API's`);
          continue;
        }
        let tlsOptions: tls.SecureContextOptions | undefined;
        let certId = '';
        if (l.protocol === 'TERMINATED_HTTPS') {
          const bundle =
            l.default_tls_container_ref === null
              ? undefined
              : certificateBundle(ctx, l.project_id, l.default_tls_container_ref);
          if (bundle === undefined) {
            failListener(l.id, `certificate container ${l.default_tls_container_ref ?? '(none)'} cannot be read`);
            continue;
          }
          certId = createHash('sha256')
            .update(bundle.certificate + bundle.privateKey + (bundle.intermediates ?? ''))
            .digest('hex');
          tlsOptions = {
            cert:
              bundle.intermediates === undefined
                ? bundle.certificate
                : `${bundle.certificate.trim()}\n${bundle.intermediates}`,
            key: bundle.privateKey,
            ...(bundle.passphrase === undefined ? {} : { passphrase: bundle.passphrase }),
          };
        }
        out.set(l.id, {
          listener: l,
          address,
          signature: `${address}:${l.protocol_port}/${l.protocol}/${certId}`,
          ...(tlsOptions === undefined ? {} : { tlsOptions }),
        });
      }
    }
    return out;
  }

  function inFloatingRange(address: string): boolean {
    if (!isLoopback(address)) return false;
    const base = ctx.floatingRange.cidr.replace(/\.0\/24$/, '.');
    return address.startsWith(base);
  }

  function failListener(id: string, why: string): void {
    if (failedListeners.get(id) === why) return;
    failedListeners.set(id, why);
    setObserved(ctx, id, 'ERROR');
    event('ERROR', `/listeners/${id}`, 409, why);
  }

  async function open(w: Wanted): Promise<void> {
    const l = w.listener;
    let server: net.Server;
    if (l.protocol === 'HTTP') server = http.createServer(handleHttp(l.id, 'http'));
    else if (l.protocol === 'TERMINATED_HTTPS') {
      try {
        server = https.createServer({ ...w.tlsOptions }, handleHttp(l.id, 'https'));
      } catch (e) {
        failListener(l.id, `the certificate does not load: ${(e as Error).message}`);
        return;
      }
    } else server = net.createServer(handleTcp(l.id));
    const sockets = new Set<net.Socket>();
    server.on('connection', (s: net.Socket) => {
      sockets.add(s);
      s.on('close', () => sockets.delete(s));
    });
    try {
      await new Promise<void>((resolve, reject) => {
        server.once('error', reject);
        server.listen({ host: w.address, port: l.protocol_port, exclusive: true }, () => {
          server.off('error', reject);
          resolve();
        });
      });
    } catch (e) {
      failListener(l.id, `cannot listen on ${w.address}:${l.protocol_port}: ${(e as Error).message}`);
      return;
    }
    failedListeners.delete(l.id);
    setObserved(ctx, l.id, undefined);
    fronts.set(l.id, {
      listenerId: l.id,
      signature: w.signature,
      address: w.address,
      port: l.protocol_port,
      protocol: l.protocol,
      server,
      sockets,
    });
    event('LISTEN', `/listeners/${l.id}`, 0, `${l.protocol} on ${w.address}:${l.protocol_port}`);
  }

  async function close(id: string, why: string): Promise<void> {
    const f = fronts.get(id);
    if (f === undefined) return;
    fronts.delete(id);
    await new Promise<void>((resolve) => {
      f.server.close(() => resolve());
      for (const s of f.sockets) s.destroy();
    });
    event('CLOSE', `/listeners/${id}`, 0, `${f.protocol} on ${f.address}:${f.port} closed: ${why}`);
  }

  // ---- health --------------------------------------------------------------------------------

  function probe(m: HealthMonitorDoc, target: Target): Promise<boolean> {
    const timeoutMs = Math.max(1, m.timeout) * 1000;
    return new Promise((resolve) => {
      let settled = false;
      const end = (ok: boolean): void => {
        if (settled) return;
        settled = true;
        resolve(ok);
      };
      if (m.type === 'HTTP' || m.type === 'HTTPS') {
        const mod = m.type === 'HTTPS' ? https : http;
        const req = mod.request(
          {
            host: target.host,
            port: target.port,
            method: m.http_method ?? 'GET',
            path: m.url_path ?? '/',
            agent: false,
            timeout: timeoutMs,
            ...(m.domain_name === null ? {} : { headers: { host: m.domain_name } }),
            ...(m.type === 'HTTPS' ? { rejectUnauthorized: false } : {}),
          },
          (res) => {
            res.resume();
            end(codesMatch(m.expected_codes, res.statusCode ?? 0));
          },
        );
        req.on('timeout', () => req.destroy(new Error('timeout')));
        req.on('error', () => end(false));
        req.end();
        return;
      }
      const s = net.connect({ host: target.host, port: target.port });
      s.setTimeout(timeoutMs, () => {
        s.destroy();
        end(false);
      });
      s.once('connect', () => {
        s.destroy();
        end(true);
      });
      s.on('error', () => end(false));
    });
  }

  function runHealth(servedPools: Set<string>): void {
    const now = Date.now();
    const seen = new Set<string>();
    for (const poolId of servedPools) {
      const monitor = monitorOf(poolId);
      if (monitor === undefined) continue;
      for (const m of ctx.store.list<MemberDoc>(KIND.member)) {
        if (m.pool_id !== poolId || !live(m)) continue;
        seen.add(m.id);
        const h = health.get(m.id) ?? { status: undefined, ups: 0, downs: 0, nextAt: 0, probing: false };
        health.set(m.id, h);
        if (h.probing || now < h.nextAt) continue;
        h.probing = true;
        h.nextAt = now + Math.max(1, monitor.delay) * 1000;
        const target = targetOf(m);
        const result = target === undefined ? Promise.resolve(false) : probe(monitor, target);
        void result.then((ok) => {
          h.probing = false;
          if (stopped) return;
          const before = h.status;
          if (ok) {
            h.ups += 1;
            h.downs = 0;
            if (before === undefined || (before === 'ERROR' && h.ups >= monitor.max_retries)) h.status = 'ONLINE';
          } else {
            h.downs += 1;
            h.ups = 0;
            if (before === undefined || (before === 'ONLINE' && h.downs >= monitor.max_retries_down))
              h.status = 'ERROR';
          }
          if (h.status !== before) {
            setObserved(ctx, m.id, h.status);
            event(
              'HEALTH',
              `/members/${m.id}`,
              ok ? 200 : 503,
              `${m.address}:${m.protocol_port} is ${h.status ?? 'unknown'} (${monitor.type} ${monitor.url_path ?? ''})`.trim(),
            );
          }
        });
      }
    }
    for (const id of [...health.keys()])
      if (!seen.has(id)) {
        health.delete(id);
        setObserved(ctx, id, undefined);
      }
  }

  // ---- the loop ------------------------------------------------------------------------------

  async function reconcile(): Promise<void> {
    settleAll(ctx);
    const want = wanted();
    for (const [id, f] of fronts) {
      const w = want.get(id);
      if (w === undefined || w.signature !== f.signature)
        await close(id, w === undefined ? 'no longer wanted' : 'changed');
    }
    for (const [id, w] of want) if (!fronts.has(id) && !stopped) await open(w);
    for (const id of [...failedListeners.keys()])
      if (ctx.store.get(KIND.listener, id) === undefined) {
        failedListeners.delete(id);
        setObserved(ctx, id, undefined);
      }
    const served = new Set<string>();
    for (const w of want.values()) if (w.listener.default_pool_id !== null) served.add(w.listener.default_pool_id);
    runHealth(served);
    opts.afterPass?.();
  }

  function tick(): void {
    if (stopped) return;
    if (busy) return;
    busy = true;
    reconcile()
      .catch((e: unknown) => event('ERROR', '/', 500, `data plane: ${(e as Error).message}`))
      .finally(() => {
        busy = false;
        if (!stopped) timer = setTimeout(tick, interval);
      });
  }
  timer = setTimeout(tick, 0);

  return {
    listening: () =>
      [...fronts.values()].map((f) => ({
        listenerId: f.listenerId,
        address: f.address,
        port: f.port,
        protocol: f.protocol,
      })),
    kick(): void {
      if (stopped || busy) return;
      if (timer !== undefined) clearTimeout(timer);
      tick();
    },
    async stop(): Promise<void> {
      stopped = true;
      if (timer !== undefined) clearTimeout(timer);
      while (busy) await new Promise((r) => setTimeout(r, 10));
      await Promise.all([...fronts.keys()].map((id) => close(id, 'the sandbox is shutting down')));
    },
  };
}

/**
 * Whether a request matches every enabled rule of a policy (a policy without rules never does:
 * Octavia's haproxy template skips it). REGEX and the SSL_* types never match in the sandbox: a
 * tenant's regular expression is not run against requests (it could be made to take forever).
 */
export function policyMatches(rules: readonly L7RuleDoc[], req: http.IncomingMessage): boolean {
  const enabled = rules.filter((r) => r.admin_state_up);
  if (enabled.length === 0) return false;
  const url = new URL(req.url ?? '/', 'http://sandbox.invalid');
  return enabled.every((r) => {
    let value: string | undefined;
    switch (r.type) {
      case 'PATH':
        value = url.pathname;
        break;
      case 'HOST_NAME':
        value = (req.headers.host ?? '').replace(/:\d+$/, '');
        break;
      case 'HEADER':
        value = r.key === null ? undefined : [req.headers[r.key.toLowerCase()]].flat()[0];
        break;
      case 'COOKIE':
        value =
          r.key === null
            ? undefined
            : (req.headers.cookie ?? '')
                .split(';')
                .map((c) => c.trim().split('='))
                .find(([k]) => k === r.key)?.[1];
        break;
      case 'FILE_TYPE':
        value = /\.([^./]+)$/.exec(url.pathname)?.[1];
        break;
      default:
        value = undefined;
    }
    let hit = false;
    if (value !== undefined)
      switch (r.compare_type) {
        case 'EQUAL_TO':
          hit = value === r.value;
          break;
        case 'STARTS_WITH':
          hit = value.startsWith(r.value);
          break;
        case 'ENDS_WITH':
          hit = value.endsWith(r.value);
          break;
        case 'CONTAINS':
          hit = value.includes(r.value);
          break;
        default:
          hit = false;
      }
    return r.invert ? !hit : hit;
  });
}
