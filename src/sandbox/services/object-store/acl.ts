/** Container ACLs (X-Container-Read / -Write) as Swift's keystoneauth reads them. */
import type { AuthInfo } from '../../core/context';

/** Does a Keystone-style container ACL grant this token? (.r:* is handled by the caller.) */
export function aclGrants(acl: string | null, auth: AuthInfo | undefined): boolean {
  if (acl === null || auth === undefined) return false;
  for (const raw of acl.split(',')) {
    const entry = raw.trim();
    if (entry === '' || entry.startsWith('.')) continue;
    const [project = '', user] = entry.includes(':') ? entry.split(':', 2) : [entry, '*'];
    const projectOk = project === '*' || project === auth.projectId || project === auth.projectName;
    const userOk = user === undefined || user === '*' || user === auth.userId || user === auth.userName;
    if (projectOk && userOk) return true;
  }
  return false;
}

export function publicRead(acl: string | null): boolean {
  if (acl === null) return false;
  return acl.split(',').some((e) => {
    const t = e.trim();
    return t === '.r:*' || t === '.r:*.' || (t.startsWith('.r:') && !t.startsWith('.r:-'));
  });
}

export function publicListing(acl: string | null): boolean {
  return acl !== null && acl.split(',').some((e) => e.trim() === '.rlistings');
}
