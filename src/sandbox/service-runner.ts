/**
 * The sandbox runs storm services: an ACTIVE server whose user data carries
 * storm's service hint (/etc/storm/service.json, see deploy/cloud-init.ts) runs
 * its service as a local Node process bound to the server's floating IP
 * (127.42.0.x), on the template's port — what a person opens is what a VM
 * would answer. A server without a floating IP (a load balancer's member: the
 * floating IP is on the VIP) runs on an address of the sandbox's internal
 * loopback /24 instead, where the load balancer's data plane reaches it.
 *
 * A reconcile loop (every 500 ms) compares what should run with what runs. The
 * release comes over HTTP from the sandbox's own object storage, anonymously,
 * exactly as the VM's updater fetches it: the release pointer beside the
 * artifact URL must be signed by the release key the user data names, for
 * this city, environment and service; it names the artifact's sha256, which is
 * checked before the archive is unpacked into
 * <data>/instances/<server>/releases/<version>/. A missing or refused pointer
 * keeps the running release and says why (a runner ERROR event). A new
 * pointer restarts the process on the new release; the server is never
 * replaced. The service's data lives on <data>/volumes/<volume>/ of the
 * server's attached volume, so it survives restarts and upgrades. Stopping or
 * deleting the server stops the process; closing the sandbox stops them all.
 *
 * The runner executes code on the host, so it trusts only what storm itself
 * asked for: servers of storm's own project (STORM_PROJECT, whose password only
 * storm and the operator know) whose hint names an artifact in that project's
 * own account; the entry script, the release version, the server and volume ids
 * must each stay a path inside the data directory (core/paths.ts); downloads and
 * unpacking are capped (no gzip bomb fills the disk).
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { httpFetch } from '../http-fetch';
import { unpackArtifact } from '../deploy/artifact';
import { pathInside, relativePathInside } from './core/paths';
import { type SandboxServiceHint, readSandboxHint } from '../deploy/cloud-init';
import { type ReleasePointer, type ReleaseVerdict, releasePointerUrl, verifyReleasePointer } from '../deploy/release';
import type { Store } from './core/store';
import { onServerLifecycle } from './services/compute';

/** One runner event, written to the request log beside the API requests. */
export interface RunnerEvent {
  time: string;
  requestId: string;
  service: 'runner';
  method: 'START' | 'STOP' | 'EXIT' | 'FETCH' | 'ERROR';
  path: string;
  status: number;
  ms: number;
  message: string;
}

export interface ServiceRunnerOptions {
  store: Store;
  dataDir: string;
  /** The sandbox's own URL (the runner only acts on hints pointing at it). */
  sandboxUrl: () => string;
  /** PEM of the sandbox's own CA when it serves HTTPS: the runner plays a VM that trusts it. */
  trustedCa?: string;
  record: (event: RunnerEvent) => void;
  /**
   * The loopback /24 (`127.a.b.0/24`) where a server without a floating IP runs its service (a load
   * balancer member: its floating IP is on the VIP); undefined: such servers do not run.
   */
  internalCidr?: string;
  /** The id of storm's own project: only its servers run (undefined: none do). */
  stormProjectId: () => string | undefined;
  intervalMs?: number;
}

export interface ServiceRunner {
  /** Server id → what runs for it (for status and tests). */
  running(): { serverId: string; service: string; version: string; address: string; pid: number | undefined }[];
  /** An object was written (perhaps a release pointer): reconcile now, asking every instance for its release at once. */
  kick(): void;
  stop(): Promise<void>;
}

/** The parts of compute's ServerDoc the runner reads. */
interface ServerRow {
  id: string;
  tenant_id: string;
  state: { status: string };
  user_data: string | null;
  _pending: { at: number; to: { status: string } } | null;
  _gone_at: number | null;
}

interface Desired {
  serverId: string;
  hint: SandboxServiceHint;
  artifactUrl: string;
  pointerUrl: string;
  address: string;
  dataDir: string;
}

interface Running {
  desired: Desired;
  pointer: ReleasePointer;
  child: ChildProcess | undefined;
  exited: boolean;
  restarts: number;
  nextStartAt: number;
}

const STOP_GRACE_MS = 3000;
/** Largest artifact the runner downloads (the pilots' are well under 1 MiB). */
export const MAX_ARTIFACT_BYTES = 64 * 1024 * 1024;
/** Largest release pointer (a few hundred bytes of JSON). */
const MAX_POINTER_BYTES = 64 * 1024;
/** How often an instance asks for the release pointer (a conditional GET, in the request log like any client's). */
const POINTER_POLL_MS = 2000;

function effectiveState(s: ServerRow, now: number): string {
  if (s._gone_at !== null) return 'DELETED';
  if (s._pending !== null && s._pending.at <= now) return s._pending.to.status;
  return s.state.status;
}

export function startServiceRunner(opts: ServiceRunnerOptions): ServiceRunner {
  const interval = opts.intervalMs ?? 500;
  const running = new Map<string, Running>();
  const pointerCache = new Map<string, { etag: string; text: string }>();
  const tls = opts.trustedCa === undefined ? {} : { tls: { ca: opts.trustedCa } };
  /** Why each server's release was last refused (said once, not at every poll). */
  const refusedWhy = new Map<string, string>();
  const hintCache = new Map<string, { userData: string; hint: SandboxServiceHint | undefined }>();
  let stopped = false;
  let busy = false;
  let again = false;
  // An object was written since the last reconcile (perhaps a release pointer): ask now
  // rather than at each instance's next poll.
  let written = false;
  let timer: NodeJS.Timeout | undefined;
  let seq = 0;
  const polledAt = new Map<string, number>();
  /** Server id → its address on the internal /24 (servers without a floating IP). */
  const internal = new Map<string, string>();

  const event = (method: RunnerEvent['method'], serverId: string, status: number, message: string): void => {
    seq += 1;
    opts.record({
      time: new Date().toISOString(),
      requestId: `runner-${seq}`,
      service: 'runner',
      method,
      path: `/servers/${serverId}`,
      status,
      ms: 0,
      message,
    });
  };

  const instanceDir = (serverId: string): string => pathInside(opts.dataDir, 'server id', 'instances', serverId);

  killLeftovers(opts.dataDir);

  function hintOf(server: ServerRow): SandboxServiceHint | undefined {
    if (server.user_data === null) return undefined;
    const cached = hintCache.get(server.id);
    if (cached !== undefined && cached.userData === server.user_data) return cached.hint;
    let hint: SandboxServiceHint | undefined;
    try {
      hint = readSandboxHint(Buffer.from(server.user_data, 'base64').toString('utf8'));
      if (hint !== undefined) {
        const why = hintProblem(hint);
        if (why !== undefined) {
          event('ERROR', server.id, 400, `the service hint in the user data is refused: ${why}`);
          hint = undefined;
        }
      }
    } catch {
      hint = undefined;
    }
    hintCache.set(server.id, { userData: server.user_data, hint });
    return hint;
  }

  function desiredNow(): Map<string, Desired> {
    const now = Date.now();
    const out = new Map<string, Desired>();
    const stormProject = opts.stormProjectId();
    if (stormProject === undefined) return out;
    // Another project's server may carry a hint too (its user data is the tenant's to write); it never runs on the host.
    const servers = opts.store
      .list<ServerRow>('compute.server')
      .filter((s) => s.tenant_id === stormProject && effectiveState(s, now) === 'ACTIVE');
    if (servers.length === 0) return out;
    const ports = opts.store.list<{ id: string; device_id: string }>('network.port');
    const fips = opts.store.list<{ floating_ip_address: string; port_id: string | null }>('network.floatingip');
    const attachments = opts.store.list<{
      volume_id: string;
      instance: string | null;
      status: string;
      mountpoint: string | null;
      _attached_at_ms: number | null;
    }>('volume.attachment');
    for (const server of servers) {
      const hint = hintOf(server);
      if (hint === undefined) continue;
      const artifactUrl = ownObjectUrl(hint.artifactUrl, opts.sandboxUrl(), stormProject);
      const pointerUrl = artifactUrl === undefined ? undefined : releasePointerUrl(artifactUrl);
      if (artifactUrl === undefined || pointerUrl === undefined) continue;
      const portIds = new Set(ports.filter((p) => p.device_id === server.id).map((p) => p.id));
      const fip = fips.find((f) => f.port_id !== null && portIds.has(f.port_id));
      const address = fip?.floating_ip_address ?? internalAddress(server.id);
      if (address === undefined) continue;
      const volume = attachments
        .filter(
          (a) =>
            a.instance === server.id &&
            (a.status === 'attached' || (a._attached_at_ms !== null && a._attached_at_ms <= now)) &&
            a.mountpoint !== '/dev/vda',
        )
        .sort((a, b) => String(a.mountpoint).localeCompare(String(b.mountpoint)))[0];
      const dataDir =
        volume === undefined
          ? path.join(instanceDir(server.id), 'data')
          : pathInside(opts.dataDir, 'volume id', 'volumes', volume.volume_id);
      out.set(server.id, {
        serverId: server.id,
        hint,
        artifactUrl,
        pointerUrl,
        address,
        dataDir,
      });
    }
    for (const id of [...internal.keys()]) if (!out.has(id)) internal.delete(id);
    return out;
  }

  /** A server without a floating IP: the lowest free address .10–.250 of the internal /24, kept while it runs. */
  function internalAddress(serverId: string): string | undefined {
    const base = /^(127\.\d{1,3}\.\d{1,3})\.0\/24$/.exec(opts.internalCidr ?? '')?.[1];
    if (base === undefined) return undefined;
    const known = internal.get(serverId);
    if (known !== undefined) return known;
    const taken = new Set(internal.values());
    for (let host = 10; host <= 250; host += 1) {
      const a = `${base}.${host}`;
      if (taken.has(a)) continue;
      internal.set(serverId, a);
      return a;
    }
    return undefined;
  }

  /** The pointer, verified against this instance's release key, or why not (a VM's updater checks the same). */
  async function fetchPointer(d: Desired): Promise<ReleaseVerdict> {
    const url = d.pointerUrl;
    const cached = pointerCache.get(url);
    const res = await httpFetch(url, {
      headers: cached === undefined ? {} : { 'If-None-Match': cached.etag },
      signal: AbortSignal.timeout(5000),
      ...tls,
    });
    let text: string;
    if (res.status === 304 && cached !== undefined) text = cached.text;
    else if (res.status !== 200) {
      await res.arrayBuffer();
      return {
        ok: false,
        reason:
          res.status === 404
            ? 'no release pointer has been published (nothing is installed without a signed one)'
            : `fetching the release pointer answered HTTP ${res.status}`,
      };
    } else {
      text = (await readCapped(res, MAX_POINTER_BYTES, 'release pointer')).toString('utf8');
      const etag = res.headers.get('etag');
      if (etag !== null) pointerCache.set(url, { etag, text });
    }
    // The hint is user data (the tenant's to write): read it defensively.
    const config = (typeof d.hint.config === 'object' && d.hint.config !== null ? d.hint.config : {}) as Partial<
      SandboxServiceHint['config']
    >;
    const city = config.city?.name;
    const environment = config.environment;
    if (typeof d.hint.releaseKey !== 'string' || typeof city !== 'string' || typeof environment !== 'string')
      return {
        ok: false,
        reason: 'the user data names no release key, city or environment (provision again with this storm)',
      };
    return verifyReleasePointer(text, d.hint.releaseKey, { city, environment, service: d.hint.service });
  }

  /** A refused release leaves what runs as it is; the log says why, once per reason. */
  function refuse(d: Desired, why: string): void {
    if (refusedWhy.get(d.serverId) === why) return;
    refusedWhy.set(d.serverId, why);
    const current = running.get(d.serverId);
    event(
      'ERROR',
      d.serverId,
      409,
      `${d.hint.service}: ${why}; ${current === undefined ? 'nothing installed' : `keeping ${current.pointer.version}`}`,
    );
  }

  async function install(d: Desired, pointer: ReleasePointer): Promise<string> {
    // The version names a directory that is replaced (deleted recursively): one plain name, nothing else.
    if (!SAFE_VERSION.test(pointer.version) || pointer.version.includes('..'))
      throw new Error(
        `release pointer version ${JSON.stringify(pointer.version)} is refused: letters, digits, '.', '_', '+' and '-' only, no '..'`,
      );
    if (!Number.isSafeInteger(pointer.bytes) || pointer.bytes < 0 || pointer.bytes > MAX_ARTIFACT_BYTES)
      throw new Error(
        `release pointer announces ${pointer.bytes} bytes; the sandbox runs artifacts of at most ${MAX_ARTIFACT_BYTES}`,
      );
    const dir = pathInside(instanceDir(d.serverId), 'release version', 'releases', pointer.version);
    const marker = path.join(dir, '.storm-sha256');
    if (fs.existsSync(marker) && fs.readFileSync(marker, 'utf8') === pointer.sha256) return dir;
    const started = Date.now();
    // The stable artifact URL the pointer describes (a VM's updater fetches the same one).
    const url = d.artifactUrl;
    const res = await httpFetch(url, { signal: AbortSignal.timeout(30_000), ...tls });
    if (res.status !== 200) {
      await res.body?.cancel();
      throw new Error(`GET ${url} answered HTTP ${res.status}`);
    }
    const bytes = await readCapped(res, pointer.bytes, `artifact ${pointer.artifact}`);
    const sum = createHash('sha256').update(bytes).digest('hex');
    if (sum !== pointer.sha256)
      throw new Error(
        `artifact ${pointer.artifact} has sha256 ${sum}, the signed release pointer says ${pointer.sha256}; not installing it`,
      );
    const partial = `${dir}.partial`;
    fs.rmSync(partial, { recursive: true, force: true });
    unpackArtifact(bytes, partial);
    fs.writeFileSync(path.join(partial, '.storm-sha256'), pointer.sha256);
    fs.rmSync(dir, { recursive: true, force: true });
    fs.renameSync(partial, dir);
    opts.record({
      time: new Date().toISOString(),
      requestId: `runner-${++seq}`,
      service: 'runner',
      method: 'FETCH',
      path: `/servers/${d.serverId}`,
      status: 200,
      ms: Date.now() - started,
      message: `${pointer.service} ${pointer.version} (${bytes.length} bytes, sha256 ${pointer.sha256.slice(0, 12)} verified)`,
    });
    return dir;
  }

  function launch(d: Desired, pointer: ReleasePointer, releaseDir: string): Running {
    const idir = instanceDir(d.serverId);
    fs.mkdirSync(d.dataDir, { recursive: true });
    const configFile = path.join(idir, 'config.json');
    fs.writeFileSync(configFile, `${JSON.stringify(d.hint.config, null, 2)}\n`);
    const log = fs.openSync(path.join(idir, 'service.log'), 'a');
    const entry = relativePathInside(releaseDir, 'entry script', d.hint.entry);
    const child = spawn(process.execPath, [entry], {
      cwd: releaseDir,
      env: {
        PATH: process.env.PATH ?? '/usr/bin:/bin',
        HOST: d.address,
        PORT: String(d.hint.port),
        STORM_DATA_DIR: d.dataDir,
        STORM_SERVICE_CONFIG: configFile,
        NODE_ENV: 'production',
      },
      stdio: ['ignore', log, log],
    });
    fs.closeSync(log);
    const r: Running = { desired: d, pointer, child, exited: false, restarts: 0, nextStartAt: 0 };
    if (child.pid !== undefined) fs.writeFileSync(path.join(idir, 'service.pid'), `${child.pid} ${entry}\n`);
    child.on('exit', (code, signal) => {
      r.exited = true;
      r.child = undefined;
      if (!stopped && running.get(d.serverId) === r)
        event(
          'EXIT',
          d.serverId,
          code ?? 0,
          `${d.hint.service} exited (${signal ?? `code ${code}`}); restarting. Last output: ${logTail(path.join(idir, 'service.log'))}`,
        );
    });
    event(
      'START',
      d.serverId,
      0,
      `${d.hint.service} ${pointer.version} on http://${d.address}:${d.hint.port} (pid ${child.pid ?? '?'}, data ${d.dataDir})`,
    );
    return r;
  }

  /**
   * Why a running service is no longer wanted, read from the server itself: a
   * stop or delete is often seen here first (its lifecycle notice only fires when
   * some client next reads the server), and the log must say the same either way.
   */
  function whyNotRunning(serverId: string): string {
    const server = opts.store.get<ServerRow>('compute.server', serverId);
    const state = server === undefined ? 'DELETED' : effectiveState(server, Date.now());
    if (state === 'DELETED') return 'the server was deleted';
    if (state === 'SHUTOFF') return 'the server was stopped';
    if (state !== 'ACTIVE') return `the server is ${state}`;
    return 'the server has no address to run on';
  }

  async function halt(serverId: string, why: string): Promise<void> {
    const r = running.get(serverId);
    if (r === undefined) return;
    running.delete(serverId);
    await stopChild(r.child);
    fs.rmSync(path.join(instanceDir(serverId), 'service.pid'), { force: true });
    event('STOP', serverId, 0, `${r.desired.hint.service} ${r.pointer.version} stopped: ${why}`);
  }

  async function reconcile(): Promise<void> {
    const fresh = written;
    written = false;
    const desired = desiredNow();
    for (const id of [...running.keys()]) {
      if (!desired.has(id)) await halt(id, whyNotRunning(id));
    }
    for (const d of desired.values()) {
      if (stopped) return;
      const current0 = running.get(d.serverId);
      const urgent =
        current0 !== undefined &&
        (current0.desired.address !== d.address || current0.desired.dataDir !== d.dataDir || current0.exited);
      if (!urgent && !fresh && Date.now() - (polledAt.get(d.serverId) ?? 0) < POINTER_POLL_MS) continue;
      polledAt.set(d.serverId, Date.now());
      try {
        const verdict = await fetchPointer(d);
        if (!verdict.ok) {
          refuse(d, verdict.reason);
          continue;
        }
        const pointer = verdict.pointer;
        refusedWhy.delete(d.serverId);
        const current = running.get(d.serverId);
        const same =
          current !== undefined &&
          current.pointer.sha256 === pointer.sha256 &&
          current.desired.address === d.address &&
          current.desired.dataDir === d.dataDir;
        if (same && !current.exited) continue;
        if (same && current.exited) {
          if (Date.now() < current.nextStartAt) continue;
          const releaseDir = await install(d, pointer);
          const next = launch(d, pointer, releaseDir);
          next.restarts = current.restarts + 1;
          next.nextStartAt = Date.now() + Math.min(30_000, 1000 * 2 ** Math.min(next.restarts, 5));
          running.set(d.serverId, next);
          continue;
        }
        const releaseDir = await install(d, pointer);
        if (current !== undefined) await halt(d.serverId, `new release ${pointer.version}`);
        running.set(d.serverId, launch(d, pointer, releaseDir));
      } catch (err) {
        event('ERROR', d.serverId, 500, `${d.hint.service}: ${err instanceof Error ? err.message : String(err)}`);
      }
    }
  }

  const tick = (): void => {
    timer = undefined;
    if (stopped || busy) return;
    busy = true;
    void reconcile()
      .catch(() => undefined)
      .finally(() => {
        busy = false;
        if (!stopped) {
          timer = setTimeout(tick, again ? 0 : interval);
          again = false;
          timer.unref();
        }
      });
  };
  timer = setTimeout(tick, interval);
  timer.unref();

  // A stop or delete is acted on at once rather than at the next tick.
  const unsubscribe = onServerLifecycle((notice) => {
    if (notice.sandboxUrl !== opts.sandboxUrl() || notice.event === 'active' || !running.has(notice.serverId)) return;
    void halt(notice.serverId, `the server was ${notice.event}`);
  });

  return {
    kick(): void {
      if (stopped) return;
      written = true;
      // Mid-reconcile, run again as soon as this one ends (it may have read the old release).
      if (busy) {
        again = true;
        return;
      }
      if (timer !== undefined) clearTimeout(timer);
      tick();
    },
    running: () =>
      [...running.values()].map((r) => ({
        serverId: r.desired.serverId,
        service: r.desired.hint.service,
        version: r.pointer.version,
        address: r.desired.address,
        pid: r.child?.pid,
      })),
    async stop(): Promise<void> {
      stopped = true;
      unsubscribe();
      if (timer !== undefined) clearTimeout(timer);
      while (busy) await new Promise((r) => setTimeout(r, 20));
      await Promise.all([...running.keys()].map((id) => halt(id, 'the sandbox is shutting down')));
    },
  };
}

/** The end of a service's log, for the EXIT event (why it stopped, e.g. EADDRINUSE when another sandbox holds the address). */
function logTail(file: string): string {
  try {
    const text = fs.readFileSync(file, 'utf8');
    return text.slice(-300).replace(/\s+/g, ' ').trim() || '(none)';
  } catch {
    return '(none)';
  }
}

/**
 * The hint's URL on this sandbox's own address: a sandbox restarted on another
 * port is still the cloud the instance lives in. Undefined for any other object
 * store and any other account than storm's own project (the runner only runs
 * artifacts storm itself published).
 */
function ownObjectUrl(url: string, sandboxUrl: string, stormProject: string): string | undefined {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return undefined;
  }
  return parsed.pathname.startsWith(`/object-store/v1/AUTH_${stormProject}/`)
    ? `${sandboxUrl}${parsed.pathname}`
    : undefined;
}

const SAFE_VERSION = /^[A-Za-z0-9][A-Za-z0-9._+-]{0,127}$/;
const SAFE_NAME = /^[a-z0-9][a-z0-9-]{0,62}$/;

/** Why a hint cannot run (undefined: it can): the fields that reach a path, a process or a port are checked first. */
export function hintProblem(hint: SandboxServiceHint): string | undefined {
  if (hint.apiVersion !== 'storm/v1' || hint.kind !== 'ServiceInstance') return 'not a storm/v1 ServiceInstance';
  if (typeof hint.service !== 'string' || !SAFE_NAME.test(hint.service))
    return `service name ${JSON.stringify(hint.service)} is not a storm service name`;
  if (typeof hint.artifactUrl !== 'string') return 'artifactUrl is not a string';
  if (
    typeof hint.entry !== 'string' ||
    hint.entry.startsWith('/') ||
    hint.entry.includes('\\') ||
    hint.entry.includes('\0') ||
    hint.entry.split('/').some((s) => s === '' || s === '.' || s === '..')
  )
    return `entry ${JSON.stringify(hint.entry)} must be a relative path inside the release (no '..', no absolute path)`;
  if (!Number.isInteger(hint.port) || hint.port < 1 || hint.port > 65535)
    return `port ${JSON.stringify(hint.port)} is not a TCP port`;
  if (typeof hint.config !== 'object' || hint.config === null) return 'config is not an object';
  return undefined;
}

/** The body of an answer, refused once it passes `limit` bytes (a stream, so an endless one never fills memory). */
async function readCapped(res: Response, limit: number, what: string): Promise<Buffer> {
  const declared = Number(res.headers.get('content-length') ?? 'NaN');
  if (declared > limit) {
    await res.body?.cancel();
    throw new Error(`${what} is ${declared} bytes, more than the ${limit} bytes allowed`);
  }
  if (res.body === null) return Buffer.alloc(0);
  const reader = res.body.getReader();
  const chunks: Buffer[] = [];
  let total = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) return Buffer.concat(chunks);
    total += value.length;
    if (total > limit) {
      await reader.cancel().catch(() => undefined);
      throw new Error(`${what} is more than the ${limit} bytes allowed`);
    }
    chunks.push(Buffer.from(value));
  }
}

function stopChild(child: ChildProcess | undefined): Promise<void> {
  if (child === undefined || child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const kill = setTimeout(() => child.kill('SIGKILL'), STOP_GRACE_MS);
    child.once('exit', () => {
      clearTimeout(kill);
      resolve();
    });
    child.kill('SIGTERM');
  });
}

/** A sandbox killed hard leaves its services running; the next start ends them (checked against /proc so no stranger is hit). */
function killLeftovers(dataDir: string): void {
  const root = path.join(dataDir, 'instances');
  if (!fs.existsSync(root)) return;
  for (const id of fs.readdirSync(root)) {
    const pidFile = path.join(root, id, 'service.pid');
    if (!fs.existsSync(pidFile)) continue;
    const [pidText, entry] = fs.readFileSync(pidFile, 'utf8').trim().split(' ');
    const pid = Number(pidText);
    try {
      const cmdline = fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8');
      if (entry !== undefined && cmdline.includes(entry)) process.kill(pid, 'SIGKILL');
    } catch {
      // gone already
    }
    fs.rmSync(pidFile, { force: true });
  }
}
