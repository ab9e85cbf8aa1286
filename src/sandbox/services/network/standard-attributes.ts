/**
 * Neutron's standard attributes: timestamps with whole seconds, revision
 * numbers bumped on every write, persistent counters, private `_` fields.
 */
import type { SandboxContext } from '../../core/context.js';
import type { NeutronCall } from './call.js';
import { KIND, type CounterDoc, type StandardAttrs } from './model.js';
import { stringField, type Doc } from './request-body.js';

/** Neutron's timestamps have whole seconds and a `Z`. */
export function timestamp(ctx: SandboxContext): string {
  return ctx
    .now()
    .toISOString()
    .replace(/\.\d{3}Z$/, 'Z');
}

/** A persistent monotonic counter (standard_attr_id, segmentation ids...). */
export function nextCounter(ctx: SandboxContext, name: string): number {
  const current = ctx.store.get<CounterDoc>(KIND.counter, name);
  const value = (current?.value ?? 0) + 1;
  if (current) ctx.store.update<CounterDoc>(KIND.counter, { id: name, value });
  else ctx.store.insert<CounterDoc>(KIND.counter, { id: name, value }, null);
  return value;
}

export function standardAttrs(call: NeutronCall, projectId: string, body: Doc, revision: number): StandardAttrs {
  const now = timestamp(call.ctx);
  return {
    id: call.ctx.newId(),
    tenant_id: projectId,
    project_id: projectId,
    description: stringField(body, 'description', ''),
    tags: [],
    created_at: now,
    updated_at: now,
    revision_number: revision,
  };
}

/** Records a change: Neutron bumps `revision_number` and `updated_at` on every write to a resource. */
export function touch<T extends { revision_number: number; updated_at: string }>(ctx: SandboxContext, doc: T): T {
  doc.revision_number += 1;
  doc.updated_at = timestamp(ctx);
  return doc;
}

/** Drops `_`-prefixed private fields before a document is answered. */
export function publicFields(doc: object): Doc {
  const out: Doc = {};
  for (const [key, value] of Object.entries(doc)) if (!key.startsWith('_')) out[key] = value;
  return out;
}
