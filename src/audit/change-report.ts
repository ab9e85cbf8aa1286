/**
 * The document `storm diff` produces, for both kinds of diff: between two
 * revisions of a manifest (offline), and between the live state and a plan.
 * Renderers (report/diff.ts) and the JSON schema (json-schemas/diff.schema.json)
 * follow this shape.
 */
import type { SourceLocation } from '../errors';
import type { AttributeChange, Layer } from '../engine/plan-changes';
import type { ManifestChangeKind } from './manifest-diff';
import type { ResourceChangeKind, ResourceDiff, RiskFlag } from './config-diff';

export const DIFF_FORMAT_VERSION = 1;

export interface ManifestChangeView {
  kind: ManifestChangeKind;
  path: string;
  /** JSON of the value in the older revision (absent when added). */
  before?: string;
  after?: string;
  fromLocation?: SourceLocation;
  toLocation?: SourceLocation;
  /** Synthesized resources this change alone adds, changes or removes; absent when it cannot be isolated. */
  affected?: string[];
  risks: RiskFlag[];
}

export interface LayerChanges {
  layer: Layer;
  resources: ResourceDiff[];
}

export interface RevisionRef {
  ref: string;
  /** Commit id; absent for the working tree. */
  commit?: string;
  /** Manifest file shown in locations, e.g. stacks/valladolid.yaml. */
  file?: string;
  /** False when the city has no manifest in that revision. */
  exists: boolean;
}

export interface DiffCounts {
  manifestChanges: number;
  create: number;
  update: number;
  replace: number;
  delete: number;
  risks: number;
}

export type DiffReport =
  | (DiffCommon & { kind: 'revision'; from: RevisionRef; to: RevisionRef; manifest: ManifestChangeView[] })
  | (DiffCommon & { kind: 'plan'; planFile?: string });

interface DiffCommon {
  formatVersion: typeof DIFF_FORMAT_VERSION;
  city: string;
  env: string;
  hasChanges: boolean;
  counts: DiffCounts;
  layers: LayerChanges[];
  /** Every risk, manifest-level and resource-level, most severe kinds first. */
  risks: RiskFlag[];
  notes: string[];
}

export function countResources(
  resources: readonly { change: ResourceChangeKind }[],
): Pick<DiffCounts, 'create' | 'update' | 'replace' | 'delete'> {
  const c = { create: 0, update: 0, replace: 0, delete: 0 };
  for (const r of resources) c[r.change] += 1;
  return c;
}

export type { AttributeChange, RiskFlag, ResourceDiff };
