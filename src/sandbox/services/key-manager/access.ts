/**
 * Who may do what with a secret or a container, as Barbican's default policy
 * and ACLs decide: the owning project reads (unless its read ACL turned
 * project access off: then only the creator, an admin and the listed users),
 * users listed in the read ACL read from any project, and only the owning
 * project changes or deletes. Another project's secret answers 403 (Barbican
 * finds the entity first, then its policy refuses); an expired secret is gone.
 */
import type { SandboxContext } from '../../core/context.js';
import { type Call, containerNotFound, notAllowed, secretNotFound } from './call.js';
import { type Acl, type ContainerDoc, KIND, type SecretDoc } from './model.js';

/** Whether a secret's expiration has passed (Barbican's repositories no longer return it). */
export function expired(ctx: SandboxContext, s: SecretDoc): boolean {
  return s.expiration !== null && Date.parse(`${s.expiration}Z`) <= ctx.now().getTime();
}

export function liveSecret(ctx: SandboxContext, id: string): SecretDoc | undefined {
  const s = ctx.store.get<SecretDoc>(KIND.secret, id);
  return s === undefined || expired(ctx, s) ? undefined : s;
}

function mayRead(call: Call, owner: { project_id: string; creator_id: string; _acl: Acl }): boolean {
  const { auth } = call;
  const read = owner._acl.read;
  if (read?.users.includes(auth.userId) === true) return true;
  if (owner.project_id !== auth.projectId) return false;
  return read === undefined || read.project_access || owner.creator_id === auth.userId || auth.isAdmin;
}

export function readableSecret(call: Call, id: string, operation: string): SecretDoc {
  const s = liveSecret(call.ctx, id);
  if (s === undefined) throw secretNotFound();
  if (!mayRead(call, s)) throw notAllowed(operation);
  return s;
}

export function ownedSecret(call: Call, id: string, operation: string): SecretDoc {
  const s = liveSecret(call.ctx, id);
  if (s === undefined) throw secretNotFound();
  if (s.project_id !== call.auth.projectId) throw notAllowed(operation);
  return s;
}

export function readableContainer(call: Call, id: string, operation: string): ContainerDoc {
  const c = call.ctx.store.get<ContainerDoc>(KIND.container, id);
  if (c === undefined) throw containerNotFound();
  if (!mayRead(call, c)) throw notAllowed(operation);
  return c;
}

export function ownedContainer(call: Call, id: string, operation: string): ContainerDoc {
  const c = call.ctx.store.get<ContainerDoc>(KIND.container, id);
  if (c === undefined) throw containerNotFound();
  if (c.project_id !== call.auth.projectId) throw notAllowed(operation);
  return c;
}
