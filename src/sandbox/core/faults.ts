/**
 * Fault injection for reliability tests. A spec is a comma-separated list of
 * rules (grammar in SPEC.md), e.g.
 *   compute:503@0.1,network:POST:/v2.0/ports:500@after=3,image:hang,volume:reset@0.2,*:latency=50ms
 * Every rule draws from its own PRNG seeded from (seed, rule index), so a run
 * with the same seed and the same sequence of matching requests injects the
 * same faults regardless of unrelated traffic.
 */

export type FaultService =
  | 'identity'
  | 'compute'
  | 'network'
  | 'volume'
  | 'image'
  | 'object-store'
  | 'load-balancer'
  | 'dns'
  | 'key-manager'
  | '*';

export type FaultEffect =
  | { kind: 'status'; status: number }
  | { kind: 'hang' }
  /** Closes the connection without an answer (what clients retry as a connection error). */
  | { kind: 'reset' }
  | { kind: 'latency'; ms: number };

export interface FaultRule {
  /** The rule as written, for the request log. */
  text: string;
  service: FaultService;
  /** Upper-case HTTP method, or undefined for any. */
  method: string | undefined;
  /** Path below the service prefix; a trailing '*' matches a prefix. Undefined for any. */
  path: string | undefined;
  effect: FaultEffect;
  /** Probability in [0, 1] that a matching request is hit (default 1). */
  rate: number;
  /** The first `after` matching requests pass untouched. */
  after: number;
  /** At most `times` requests are hit (undefined: no limit). */
  times: number | undefined;
}

export class FaultSpecError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'FaultSpecError';
  }
}

const SERVICES: readonly FaultService[] = [
  'identity',
  'compute',
  'network',
  'volume',
  'image',
  'object-store',
  'load-balancer',
  'dns',
  'key-manager',
  '*',
];
const SERVICE_ALIASES: Record<string, FaultService> = {
  volumev3: 'volume',
  'block-storage': 'volume',
  object: 'object-store',
  swift: 'object-store',
  keystone: 'identity',
  nova: 'compute',
  neutron: 'network',
  cinder: 'volume',
  glance: 'image',
  octavia: 'load-balancer',
  designate: 'dns',
  barbican: 'key-manager',
};
const METHODS = new Set(['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'COPY', 'OPTIONS']);

function parseService(text: string, rule: string): FaultService {
  const lower = text.toLowerCase();
  const alias = SERVICE_ALIASES[lower];
  if (alias !== undefined) return alias;
  const found = SERVICES.find((s) => s === lower);
  if (found === undefined)
    throw new FaultSpecError(`fault rule "${rule}": unknown service "${text}" (one of ${SERVICES.join(', ')})`);
  return found;
}

function parseDurationMs(text: string, rule: string): number {
  const m = /^(\d+(?:\.\d+)?)(ms|s)?$/.exec(text);
  if (m === null)
    throw new FaultSpecError(`fault rule "${rule}": latency "${text}" is not a duration like 50ms or 1.5s`);
  const n = Number(m[1]);
  return m[2] === 's' ? Math.round(n * 1000) : Math.round(n);
}

function parseEffect(text: string, rule: string): Pick<FaultRule, 'effect' | 'rate' | 'after' | 'times'> {
  const [head = '', ...conditions] = text.split('@');
  let effect: FaultEffect;
  if (head === 'hang') effect = { kind: 'hang' };
  else if (head === 'reset') effect = { kind: 'reset' };
  else if (head.startsWith('latency='))
    effect = { kind: 'latency', ms: parseDurationMs(head.slice('latency='.length), rule) };
  else if (/^[45]\d\d$/.test(head)) effect = { kind: 'status', status: Number(head) };
  else
    throw new FaultSpecError(
      `fault rule "${rule}": effect "${head}" must be a 4xx/5xx status, "hang", "reset" or "latency=<ms>"`,
    );
  let rate = 1;
  let after = 0;
  let times: number | undefined;
  for (const c of conditions) {
    if (c.startsWith('after=')) {
      after = Number(c.slice('after='.length));
      if (!Number.isInteger(after) || after < 0)
        throw new FaultSpecError(`fault rule "${rule}": after=${c.slice(6)} must be a whole number`);
    } else if (c.startsWith('times=')) {
      times = Number(c.slice('times='.length));
      if (!Number.isInteger(times) || times < 1)
        throw new FaultSpecError(`fault rule "${rule}": times=${c.slice(6)} must be a positive whole number`);
    } else {
      const r = c.endsWith('%') ? Number(c.slice(0, -1)) / 100 : Number(c);
      if (c === '' || !Number.isFinite(r) || r < 0 || r > 1)
        throw new FaultSpecError(
          `fault rule "${rule}": rate "${c}" must be between 0 and 1 (or a percentage like 10%)`,
        );
      rate = r;
    }
  }
  return { effect, rate, after, times };
}

/** Parses a fault spec; throws FaultSpecError naming the bad rule. */
export function parseFaultSpec(spec: string): FaultRule[] {
  const rules: FaultRule[] = [];
  for (const raw of spec.split(',')) {
    const text = raw.trim();
    if (text === '') continue;
    const parts = text.split(':');
    if (parts.length < 2 || parts.length > 4)
      throw new FaultSpecError(`fault rule "${text}": expected service[:METHOD][:/path]:effect`);
    const service = parseService(parts[0] ?? '', text);
    const effectText = parts[parts.length - 1] ?? '';
    let method: string | undefined;
    let path: string | undefined;
    for (const middle of parts.slice(1, -1)) {
      if (middle.startsWith('/')) path = middle;
      else if (METHODS.has(middle.toUpperCase())) method = middle.toUpperCase();
      else
        throw new FaultSpecError(
          `fault rule "${text}": "${middle}" is neither an HTTP method nor a path starting with /`,
        );
    }
    rules.push({ text, service, method, path, ...parseEffect(effectText, text) });
  }
  return rules;
}

/** mulberry32: small, fast and good enough for deciding which request fails. */
function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export interface FaultDecision {
  /** Sum of latency rules that matched. */
  latencyMs: number;
  /** The failure to answer with, if any (first matching failing rule wins). */
  failure:
    | { kind: 'status'; status: number; rule: string }
    | { kind: 'hang'; rule: string }
    | { kind: 'reset'; rule: string }
    | undefined;
  /** Rules that fired, for the request log. */
  fired: string[];
}

const NO_FAULT: FaultDecision = { latencyMs: 0, failure: undefined, fired: [] };

export class FaultInjector {
  readonly rules: readonly FaultRule[];
  readonly seed: number;
  private readonly state: { matched: number; hit: number; random: () => number }[];

  constructor(rules: readonly FaultRule[], seed: number) {
    this.rules = rules;
    this.seed = seed;
    this.state = rules.map((_, i) => ({
      matched: 0,
      hit: 0,
      random: mulberry32((seed ^ Math.imul(i + 1, 0x9e3779b1)) >>> 0),
    }));
  }

  get active(): boolean {
    return this.rules.length > 0;
  }

  /** Decides what happens to one request; `path` is below the service prefix. */
  decide(service: Exclude<FaultService, '*'>, method: string, path: string): FaultDecision {
    if (this.rules.length === 0) return NO_FAULT;
    let latencyMs = 0;
    let failure: FaultDecision['failure'];
    const fired: string[] = [];
    this.rules.forEach((rule, i) => {
      const st = this.state[i];
      if (st === undefined || !matches(rule, service, method, path)) return;
      st.matched += 1;
      if (st.matched <= rule.after) return;
      if (rule.times !== undefined && st.hit >= rule.times) return;
      // Always draw, so the sequence of decisions depends only on the matching requests.
      const draw = st.random();
      if (rule.rate < 1 && draw >= rule.rate) return;
      if (rule.effect.kind !== 'latency' && failure !== undefined) return;
      st.hit += 1;
      fired.push(rule.text);
      switch (rule.effect.kind) {
        case 'latency':
          latencyMs += rule.effect.ms;
          break;
        case 'status':
          failure = { kind: 'status', status: rule.effect.status, rule: rule.text };
          break;
        case 'hang':
          failure = { kind: 'hang', rule: rule.text };
          break;
        case 'reset':
          failure = { kind: 'reset', rule: rule.text };
          break;
      }
    });
    return fired.length === 0 ? NO_FAULT : { latencyMs, failure, fired };
  }
}

function matches(rule: FaultRule, service: Exclude<FaultService, '*'>, method: string, path: string): boolean {
  if (rule.service !== '*' && rule.service !== service) return false;
  if (rule.method !== undefined && rule.method !== method) return false;
  if (rule.path !== undefined) {
    if (rule.path.endsWith('*')) return path.startsWith(rule.path.slice(0, -1));
    return path === rule.path || path === `${rule.path}/`;
  }
  return true;
}
