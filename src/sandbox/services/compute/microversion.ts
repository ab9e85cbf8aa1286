/**
 * OpenStack API microversion negotiation, shared by Nova and Cinder: both read
 * `OpenStack-API-Version: <service> X.Y` (Nova also the legacy
 * `X-OpenStack-Nova-API-Version: X.Y`), accept `latest`, and answer with the
 * version they served plus `Vary` so caches keep versions apart.
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import { SandboxHttpError } from '../../core/errors.js';

export interface Microversion {
  major: number;
  minor: number;
}

export interface MicroversionPolicy {
  /** Service name inside `OpenStack-API-Version`, e.g. `compute`, `volume`. */
  service: string;
  min: Microversion;
  max: Microversion;
  /** Nova also reads and echoes `X-OpenStack-Nova-API-Version`. */
  legacyHeader?: string;
}

export function parseMicroversion(text: string): Microversion | undefined {
  const m = /^(\d+)\.(\d+)$/.exec(text.trim());
  if (!m) return undefined;
  return { major: Number(m[1]), minor: Number(m[2]) };
}

export function formatMicroversion(v: Microversion): string {
  return `${v.major}.${v.minor}`;
}

export function compareMicroversion(a: Microversion, b: Microversion): number {
  return a.major !== b.major ? a.major - b.major : a.minor - b.minor;
}

/** True when the negotiated version `v` is at least `text` (e.g. atLeast(v, '2.47')). */
export function atLeast(v: Microversion, text: string): boolean {
  const ref = parseMicroversion(text);
  if (!ref) throw new Error(`bad microversion literal ${text}`);
  return compareMicroversion(v, ref) >= 0;
}

function headerValue(req: FastifyRequest, name: string): string | undefined {
  const raw = req.headers[name.toLowerCase()];
  if (Array.isArray(raw)) return raw.join(',');
  return raw;
}

/**
 * The requested version string for this service, or undefined when the
 * client asked for none. `OpenStack-API-Version` may carry several services
 * separated by commas; only the entry naming this service counts.
 */
function requestedVersion(req: FastifyRequest, policy: MicroversionPolicy): string | undefined {
  const generic = headerValue(req, 'openstack-api-version');
  if (generic !== undefined) {
    for (const part of generic.split(',')) {
      const [svc, ver] = part.trim().split(/\s+/, 2);
      if (svc?.toLowerCase() === policy.service && ver !== undefined) return ver;
    }
  }
  if (policy.legacyHeader !== undefined) {
    const legacy = headerValue(req, policy.legacyHeader);
    if (legacy !== undefined && legacy.trim() !== '') return legacy.trim();
  }
  return undefined;
}

function versionHeaders(policy: MicroversionPolicy, v: Microversion): Record<string, string> {
  const text = formatMicroversion(v);
  const headers: Record<string, string> = { 'OpenStack-API-Version': `${policy.service} ${text}` };
  if (policy.legacyHeader !== undefined) {
    headers[policy.legacyHeader] = text;
    headers.Vary = `OpenStack-API-Version, ${policy.legacyHeader}`;
  } else {
    headers.Vary = 'OpenStack-API-Version';
  }
  return headers;
}

/**
 * Negotiates the version of one request and sets the answering headers on the
 * reply (also kept when the handler later throws). Out-of-range versions get
 * 406 and malformed ones 400, as Nova and Cinder answer them.
 */
export function negotiate(req: FastifyRequest, reply: FastifyReply, policy: MicroversionPolicy): Microversion {
  const asked = requestedVersion(req, policy);
  let v: Microversion;
  if (asked === undefined) {
    v = policy.min;
  } else if (asked.toLowerCase() === 'latest') {
    v = policy.max;
  } else {
    const parsed = parseMicroversion(asked);
    if (!parsed) {
      reply.headers(versionHeaders(policy, policy.min));
      throw new SandboxHttpError(400, {
        badRequest: {
          code: 400,
          message: `API Version String ${asked} is of invalid format. Must be of format MajorNum.MinorNum.`,
        },
      });
    }
    if (compareMicroversion(parsed, policy.min) < 0 || compareMicroversion(parsed, policy.max) > 0) {
      reply.headers(versionHeaders(policy, policy.min));
      throw new SandboxHttpError(406, {
        computeFault: {
          code: 406,
          message: `Version ${asked} is not supported by the API. Minimum is ${formatMicroversion(policy.min)} and maximum is ${formatMicroversion(policy.max)}.`,
        },
      });
    }
    v = parsed;
  }
  reply.headers(versionHeaders(policy, v));
  return v;
}
