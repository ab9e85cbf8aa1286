/**
 * Sharing layer: what partner projects may reach. A network share is a Neutron
 * RBAC policy (access_as_shared); container access is an entry in the container's
 * Swift ACL, which the storage layer writes from containerAcl().
 */
import { Construct } from './cdktf';
import { openstack } from './cdktf';
import type { SynthContext } from './context';
import type { NetworkLayer } from './network';
import { logicalId } from './naming';

/** Keystone project ids are 32 hex digits; anything else is a project name to look up. */
export function isProjectId(project: string): boolean {
  return /^[0-9a-f]{32}$/.test(project);
}

export interface ContainerGrant {
  partner: string;
  projectId: string;
  mode: 'read' | 'write';
}

export class SharingLayer extends Construct {
  /** Project id (literal or a data-source reference) per partner name. */
  readonly projectIds = new Map<string, string>();
  readonly rbacPolicies: openstack.networkingRbacPolicyV2.NetworkingRbacPolicyV2[] = [];
  private readonly grants = new Map<string, ContainerGrant[]>();

  constructor(scope: Construct, id: string, ctx: SynthContext, network: NetworkLayer) {
    super(scope, id);
    for (const p of ctx.city.partners) {
      let projectId = p.project;
      if (!isProjectId(p.project)) {
        const lookup = new openstack.dataOpenstackIdentityProjectV3.DataOpenstackIdentityProjectV3(
          this,
          logicalId('project', p.name),
          { name: p.project },
        );
        lookup.overrideLogicalId(logicalId('partner', p.name));
        projectId = lookup.id;
      }
      this.projectIds.set(p.name, projectId);

      let networkShared = false;
      for (const access of p.access) {
        if ('network' in access) {
          // A subnet name also means the city network: RBAC shares whole networks.
          if (networkShared) continue;
          networkShared = true;
          const policy = new openstack.networkingRbacPolicyV2.NetworkingRbacPolicyV2(this, logicalId('rbac', p.name), {
            action: 'access_as_shared',
            objectType: 'network',
            objectId: network.network.id,
            targetTenant: projectId,
          });
          policy.overrideLogicalId(logicalId('partner', p.name, 'network'));
          this.rbacPolicies.push(policy);
        } else {
          const list = this.grants.get(access.container) ?? [];
          list.push({ partner: p.name, projectId, mode: access.mode ?? 'read' });
          this.grants.set(access.container, list);
        }
      }
    }
  }

  grantsFor(container: string): readonly ContainerGrant[] {
    return this.grants.get(container) ?? [];
  }
}

/** Swift container ACLs: public read adds the referrer and listing grants. */
export function containerAcl(
  acl: 'private' | 'public-read',
  grants: readonly ContainerGrant[],
): { read: string[]; write: string[] } {
  const read: string[] = acl === 'public-read' ? ['.r:*', '.rlistings'] : [];
  const write: string[] = [];
  for (const g of grants) {
    read.push(`${g.projectId}:*`);
    if (g.mode === 'write') write.push(`${g.projectId}:*`);
  }
  return { read, write };
}
