/**
 * What the sandbox's data plane (lb-dataplane.ts) observed, for the API to
 * report: each member's health as its monitor found it (ONLINE or ERROR) and
 * each listener that could not listen (ERROR). Kept in memory per sandbox,
 * as Octavia's health manager keeps it fresh from the amphorae; a member
 * nobody probed yet has no entry.
 */
import type { SandboxContext } from '../../core/context.js';

const observed = new WeakMap<SandboxContext, Map<string, string>>();

export function setObserved(ctx: SandboxContext, id: string, status: string | undefined): void {
  let m = observed.get(ctx);
  if (m === undefined) {
    m = new Map();
    observed.set(ctx, m);
  }
  if (status === undefined) m.delete(id);
  else m.set(id, status);
}

export function observedStatus(ctx: SandboxContext, id: string): string | undefined {
  return observed.get(ctx)?.get(id);
}
