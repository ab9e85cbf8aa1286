/**
 * Who is calling Neutron and what they may own: the token's identity, the
 * project a new resource belongs to, the owner rule every resource shares.
 */
import type { AuthInfo, SandboxContext } from '../../core/context.js';
import { badRequest, has, type Doc } from './request-body.js';

/** One authenticated Neutron request: the sandbox and the token's identity. */
export interface NeutronCall {
  ctx: SandboxContext;
  auth: AuthInfo;
}

/**
 * The project a new resource belongs to: the caller's, or the one named in the
 * body (`project_id`/`tenant_id`), which only an admin may choose.
 */
export function ownerProject(call: NeutronCall, body: Doc): string {
  const fromProject = has(body, 'project_id') ? body.project_id : undefined;
  const fromTenant = has(body, 'tenant_id') ? body.tenant_id : undefined;
  if (fromProject !== undefined && fromTenant !== undefined && fromProject !== fromTenant) {
    throw badRequest("'project_id' and 'tenant_id' do not match");
  }
  const requested = fromProject ?? fromTenant;
  if (requested === undefined || requested === null || requested === '') return call.auth.projectId;
  if (typeof requested !== 'string')
    throw badRequest(`Invalid input for project_id. Reason: '${JSON.stringify(requested)}' is not a valid string.`);
  if (requested !== call.auth.projectId && !call.auth.isAdmin) {
    throw badRequest(
      "Specifying 'project_id' or 'tenant_id' other than the authenticated project in request requires admin privileges",
    );
  }
  return requested;
}

/** Whether the caller owns (or, as admin, may act on) a resource of `projectId`. */
export function owns(auth: AuthInfo, projectId: string): boolean {
  return auth.isAdmin || projectId === auth.projectId;
}
