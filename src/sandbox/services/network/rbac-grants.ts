/**
 * Whether an RBAC `access_as_shared` policy lets a project use an object
 * (subnet pools, address scopes); kept apart from rbac.ts so the objects'
 * own modules can ask without importing the policy API.
 */
import type { NeutronCall } from './call.js';
import { KIND, type RbacPolicyDoc } from './model.js';

export function sharedTo(call: NeutronCall, type: RbacPolicyDoc['object_type'], objectId: string): boolean {
  const projectId = call.auth.projectId;
  return call.ctx.store
    .list<RbacPolicyDoc>(KIND.rbac)
    .some(
      (p) =>
        p.object_type === type &&
        p.object_id === objectId &&
        p.action === 'access_as_shared' &&
        (p.target_tenant === '*' || p.target_tenant === projectId),
    );
}
