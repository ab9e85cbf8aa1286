/** What every Cinder route starts with: the token, the negotiated microversion and the project in the URL. */
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { AuthInfo, SandboxContext } from '../../core/context.js';
import { queryParams } from '../../core/request.js';
import { badRequest, forbidden } from '../compute/api-fault.js';
import { negotiate, type Microversion, type MicroversionPolicy } from '../compute/microversion.js';
import { pythonRepr } from '../compute/python-repr.js';
import { KIND, type VolumeTypeDoc } from './model.js';

export const CINDER_VERSIONS: MicroversionPolicy = {
  service: 'volume',
  min: { major: 3, minor: 0 },
  max: { major: 3, minor: 70 },
};

export interface Call {
  auth: AuthInfo;
  v: Microversion;
  projectId: string;
}

export type Params = Record<string, string>;

export function params(req: FastifyRequest): Params {
  return req.params as Params;
}

export function query(req: FastifyRequest): Record<string, string> {
  return queryParams(req).one;
}

export function begin(ctx: SandboxContext, req: FastifyRequest, reply: FastifyReply): Call {
  const auth = ctx.authenticate(req, 'cinder');
  const v = negotiate(req, reply, CINDER_VERSIONS);
  const projectId = params(req).projectId ?? auth.projectId;
  // Cinder's wsgi layer refuses a URL naming another project than the token's, admins included.
  if (projectId !== auth.projectId) throw badRequest('Malformed request url');
  return { auth, v, projectId };
}

export function typeName(ctx: SandboxContext, id: string): string {
  return ctx.store.get<VolumeTypeDoc>(KIND.type, id)?.name ?? id;
}

export function requireAdmin(call: Call, action: string): void {
  if (!call.auth.isAdmin) throw forbidden(`Policy doesn't allow ${action} to be performed.`);
}

// ---- request parsing -----------------------------------------------------------------------

export function parseSize(raw: unknown): number {
  if (typeof raw === 'number' && Number.isInteger(raw)) {
    if (raw < 1)
      throw badRequest(`Invalid input for field/attribute size. Value: ${raw}. ${raw} is less than the minimum of 1`);
    return raw;
  }
  if (typeof raw === 'string') {
    if (!/^[0-9]+$/.test(raw))
      throw badRequest(
        `Invalid input for field/attribute size. Value: ${raw}. ${pythonRepr(raw)} does not match '^[0-9]+$'`,
      );
    const n = Number(raw);
    if (n < 1)
      throw badRequest(
        `Invalid input for field/attribute size. Value: ${raw}. ${pythonRepr(raw)} is less than the minimum of 1`,
      );
    return n;
  }
  throw badRequest(
    `Invalid input for field/attribute size. Value: ${raw === undefined ? 'None' : pythonRepr(raw)}. ${raw === undefined ? 'None' : pythonRepr(raw)} is not of type 'integer', 'string'`,
  );
}

export function nullableString(obj: Record<string, unknown>, key: string): string | null | undefined {
  const v = obj[key];
  if (v === undefined) return undefined;
  if (v === null) return null;
  if (typeof v !== 'string')
    throw badRequest(
      `Invalid input for field/attribute ${key}. Value: ${pythonRepr(v)}. ${pythonRepr(v)} is not of type 'string', 'null'`,
    );
  return v;
}

/** The project-scoped root every Cinder resource hangs off. */
export const P = '/v3/:projectId';
