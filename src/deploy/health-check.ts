/**
 * Waits until every instance of every deployed service answers its health
 * check with the expected version, through the address a person would open.
 * The report names each service and instance and what /healthz said, so a
 * failure says exactly where to look.
 */
import { StormError } from '../errors';
import { httpFetch } from '../http-fetch';
import type { Progress } from '../progress';

export interface HealthTarget {
  service: string;
  /** Instance name, for the report. */
  instance: string;
  /** Base URL of the instance's service, e.g. http://127.42.0.7:8080 */
  url: string;
  healthCheck: string;
  /** The version the instance must report; any version when undefined. */
  expectedVersion?: string;
  /**
   * A probe through a service's front door: `url` is the load balancer's address; the name its certificate and
   * Host header carry, and the CA that issued a certificate storm generated.
   */
  frontDoor?: { name: string | undefined; ca: string | undefined; url: string };
}

export type HealthOutcome =
  | { kind: 'healthy'; version: string; attempts: number }
  | { kind: 'unhealthy'; httpStatus: number; said: string; attempts: number }
  | { kind: 'wrong-version'; version: string; attempts: number }
  | { kind: 'unreachable'; error: string; attempts: number };

export interface HealthResult {
  target: HealthTarget;
  outcome: HealthOutcome;
}

export interface WaitOptions {
  timeoutMs: number;
  /** Longest pause between two probes of one instance (default 2 s). */
  intervalMs?: number;
  /** Per-request timeout. */
  requestTimeoutMs?: number;
  progress?: Progress;
  signal?: AbortSignal;
}

function describeBody(text: string): string {
  try {
    const body = JSON.parse(text) as {
      status?: unknown;
      checks?: Record<string, { status?: unknown; error?: unknown }>;
    };
    const failed = Object.entries(body.checks ?? {})
      .filter(([, c]) => c.status !== 'ok')
      .map(([name, c]) => `${name}: ${typeof c.error === 'string' ? c.error : String(c.status)}`);
    if (failed.length > 0) return failed.join('; ');
    return `status ${String(body.status)}`;
  } catch {
    return text.trim().slice(0, 200) || '(empty body)';
  }
}

type ProbeOutcome = HealthOutcome extends infer T ? (T extends unknown ? Omit<T, 'attempts'> : never) : never;

async function probe(target: HealthTarget, requestTimeoutMs: number): Promise<ProbeOutcome> {
  const url = `${target.url.replace(/\/$/, '')}${target.healthCheck}`;
  let res: Response;
  try {
    const signal = AbortSignal.timeout(requestTimeoutMs);
    const door = target.frontDoor;
    res =
      door === undefined
        ? await fetch(url, { headers: { Accept: 'application/json' }, signal })
        : await httpFetch(url, {
            headers: { Accept: 'application/json', ...(door.name === undefined ? {} : { Host: door.name }) },
            signal,
            tls: {
              ...(door.ca === undefined ? {} : { ca: door.ca }),
              ...(door.name === undefined ? {} : { servername: door.name }),
            },
          });
  } catch (err) {
    const cause =
      err instanceof Error && err.cause instanceof Error
        ? err.cause.message
        : err instanceof Error
          ? err.message
          : String(err);
    return { kind: 'unreachable', error: cause };
  }
  const text = await res.text();
  if (res.status !== 200) return { kind: 'unhealthy', httpStatus: res.status, said: describeBody(text) };
  let version = '';
  try {
    const v = (JSON.parse(text) as { version?: unknown }).version;
    version = typeof v === 'string' ? v : '';
  } catch {
    return { kind: 'unhealthy', httpStatus: res.status, said: `not JSON: ${text.trim().slice(0, 120)}` };
  }
  if (target.expectedVersion !== undefined && version !== target.expectedVersion)
    return { kind: 'wrong-version', version };
  return { kind: 'healthy', version };
}

const sleep = (ms: number, signal?: AbortSignal): Promise<void> =>
  new Promise((resolve, reject) => {
    const t = setTimeout(resolve, ms);
    signal?.addEventListener(
      'abort',
      () => {
        clearTimeout(t);
        reject(new StormError('interrupted', 'interrupted while waiting for health checks'));
      },
      { once: true },
    );
  });

/** Polls every target until it is healthy with the expected version or the time is up; never throws for an unhealthy target. */
export async function waitForHealthy(targets: readonly HealthTarget[], options: WaitOptions): Promise<HealthResult[]> {
  const deadline = Date.now() + options.timeoutMs;
  const maxInterval = options.intervalMs ?? 2000;
  const requestTimeout = options.requestTimeoutMs ?? 5000;
  return Promise.all(
    targets.map(async (target) => {
      let attempts = 0;
      // A rollout usually lands within a second; a fresh VM takes minutes. Start with
      // short pauses and back off, so neither waits long nor floods the instance.
      let interval = Math.min(50, maxInterval);
      for (;;) {
        attempts += 1;
        const outcome: HealthOutcome = { ...(await probe(target, requestTimeout)), attempts };
        if (outcome.kind === 'healthy') {
          options.progress?.({
            kind: 'detail',
            message: `${target.service} on ${target.instance}: healthy (${outcome.version})`,
          });
          return { target, outcome };
        }
        if (Date.now() + interval > deadline) return { target, outcome };
        await sleep(interval, options.signal);
        interval = Math.min(interval * 2, maxInterval);
      }
    }),
  );
}

/** One line per failed instance: service, instance, address and what /healthz said. */
export function describeHealthFailure(r: HealthResult): string {
  const where = `${r.target.service} on ${r.target.instance} (${r.target.url}${r.target.healthCheck})`;
  switch (r.outcome.kind) {
    case 'healthy':
      return `${where}: healthy (${r.outcome.version})`;
    case 'unhealthy':
      return `${where}: HTTP ${r.outcome.httpStatus} — ${r.outcome.said}`;
    case 'wrong-version':
      return `${where}: still reports version ${r.outcome.version || '(none)'}, expected ${r.target.expectedVersion ?? '?'}`;
    case 'unreachable':
      return `${where}: unreachable — ${r.outcome.error}`;
  }
}

/** Throws a deploy error naming every unhealthy instance; returns the results when all are healthy. */
export function requireHealthy(results: readonly HealthResult[], timeoutMs: number): HealthResult[] {
  const failed = results.filter((r) => r.outcome.kind !== 'healthy');
  if (failed.length === 0) return [...results];
  throw new StormError(
    'deploy',
    `${failed.length} of ${results.length} service instance${results.length === 1 ? '' : 's'} not healthy after ${Math.round(timeoutMs / 1000)} s:\n${failed.map((r) => `  ${describeHealthFailure(r)}`).join('\n')}`,
    {
      hint: 'look at the service on that instance (journalctl -u storm-<service> on a VM, `storm sandbox logs` in the sandbox)',
    },
  );
}
