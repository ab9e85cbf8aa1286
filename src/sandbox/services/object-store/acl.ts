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

/**
 * Whether a read ACL's referrer entries let this request read, as Swift's
 * `referrer_allowed`: `.r:*` lets anyone; `.r:<host>` and `.r:.<domain>` only a
 * request whose Referer names that host; `.r:-<host>` takes it back. Entries are
 * read in order and the last match wins. A `.r:<host>` entry is not "public".
 */
export function publicRead(acl: string | null, referer?: string): boolean {
  if (acl === null) return false;
  let host = 'unknown';
  try {
    if (referer !== undefined && referer !== '') host = new URL(referer).hostname.toLowerCase() || 'unknown';
  } catch {
    // an unparsable Referer names no host
  }
  let allow = false;
  for (const raw of acl.split(',')) {
    const entry = raw.trim();
    if (!entry.startsWith('.r:')) continue;
    let match = entry.slice(3).toLowerCase();
    const deny = match.startsWith('-');
    if (deny) match = match.slice(1);
    const hit = match === host || (match.startsWith('.') && host.endsWith(match));
    if (deny) {
      if (hit) allow = false;
    } else if (match === '*' || hit) allow = true;
  }
  return allow;
}

export function publicListing(acl: string | null): boolean {
  return acl !== null && acl.split(',').some((e) => e.trim() === '.rlistings');
}
