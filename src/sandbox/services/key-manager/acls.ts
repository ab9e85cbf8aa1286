/**
 * ACLs of a secret or a container: Barbican's one operation, `read`, with the
 * users it is shared with and whether the owning project keeps access.
 * PUT replaces, PATCH changes what it names, DELETE returns to the default
 * (`{"read": {"project-access": true}}`).
 */
import { type Body, barbicanTime, bodyObject, type Call, invalid } from './call.js';
import type { Acl, AclEntry } from './model.js';

const SCHEMA = 'ACL';

export function aclView(acl: Acl): Record<string, unknown> {
  const read = acl.read;
  if (read === undefined) return { read: { 'project-access': true } };
  return {
    read: { 'project-access': read.project_access, users: read.users, created: read.created, updated: read.updated },
  };
}

interface AclInput {
  users?: string[];
  projectAccess?: boolean;
}

function readAclBody(body: unknown): { read?: AclInput } {
  const b = body === undefined ? {} : bodyObject(body, SCHEMA);
  for (const key of Object.keys(b))
    if (key !== 'read') throw invalid(SCHEMA, `Additional properties are not allowed ('${key}' was unexpected)`, key);
  if (b.read === undefined) return {};
  if (typeof b.read !== 'object' || b.read === null || Array.isArray(b.read))
    throw invalid(SCHEMA, `${JSON.stringify(b.read)} is not of type 'object'`, 'read');
  const r = b.read as Body;
  const out: AclInput = {};
  if (r.users !== undefined) {
    if (!Array.isArray(r.users) || r.users.some((u) => typeof u !== 'string' || u.length > 255))
      throw invalid(SCHEMA, `${JSON.stringify(r.users)} is not of type 'array' of strings`, 'users');
    out.users = [...new Set(r.users as string[])];
  }
  if (r['project-access'] !== undefined) {
    if (typeof r['project-access'] !== 'boolean')
      throw invalid(SCHEMA, `${JSON.stringify(r['project-access'])} is not of type 'boolean'`, 'project-access');
    out.projectAccess = r['project-access'];
  }
  return { read: out };
}

function entry(call: Call, previous: AclEntry | undefined, input: AclInput, keep: boolean): AclEntry {
  const now = barbicanTime(call.ctx.now());
  return {
    project_access: input.projectAccess ?? (keep ? (previous?.project_access ?? true) : true),
    users: input.users ?? (keep ? (previous?.users ?? []) : []),
    created: previous?.created ?? now,
    updated: now,
  };
}

/** PUT: the ACL becomes exactly what the body says. */
export function replaceAcl(call: Call, current: Acl, body: unknown): Acl {
  const input = readAclBody(body);
  return input.read === undefined ? {} : { read: entry(call, current.read, input.read, false) };
}

/** PATCH: what the body names changes; the rest stays. */
export function patchAcl(call: Call, current: Acl, body: unknown): Acl {
  const input = readAclBody(body);
  return input.read === undefined ? current : { ...current, read: entry(call, current.read, input.read, true) };
}
