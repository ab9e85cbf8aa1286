/**
 * `storm diff <city>` against the live state: the lifecycle's plan summary
 * (`tofu show -json` read by engine/plan-changes.ts) turned into the same
 * DiffReport the offline diff produces, so one renderer and one JSON schema
 * serve both.
 */
import { LAYERS, summarizePlan, type PlanSummary, type PlanWarning, type ResourceChange } from '../engine/plan-changes';
import type { ResourceChangeKind, ResourceDiff, RiskFlag, RiskKind } from './config-diff';
import { countResources, DIFF_FORMAT_VERSION, type DiffReport } from './change-report';
import { sortRisks } from './revision-diff';

function riskKind(kind: PlanWarning['kind']): RiskKind {
  switch (kind) {
    case 'delete':
      return 'delete';
    case 'replace':
      return 'replace';
    case 'internet-exposure':
      return 'exposure';
    case 'server-rebuild':
      return 'rebuild';
    case 'server-resize':
      return 'resize';
  }
}

function publicContainer(r: ResourceChange): RiskFlag | undefined {
  if (r.type !== 'openstack_objectstorage_container_v1' || r.change === 'delete') return undefined;
  const read = r.attributes.find((a) => a.path === 'container_read')?.after ?? '';
  return /\.r:\*/.test(read)
    ? { kind: 'public-container', subject: r.address, message: `${r.address} is readable by anyone (${read})` }
    : undefined;
}

export function planDiffReport(city: string, env: string, summary: PlanSummary, planFile?: string): DiffReport {
  const production = env === 'production';
  const resources: ResourceDiff[] = summary.resources
    .filter((r): r is ResourceChange & { change: ResourceChangeKind } => r.change !== 'read')
    .map((r) => {
      const risks: RiskFlag[] = summary.warnings
        .filter((w) => w.address === r.address)
        .map((w) => ({ kind: riskKind(w.kind), subject: w.address, message: w.message }));
      const pub = publicContainer(r);
      if (pub !== undefined) risks.push(pub);
      if (production)
        risks.push({ kind: 'production', subject: r.address, message: `${r.address} changes in production` });
      return {
        address: r.address,
        type: r.type,
        name: r.name,
        layer: r.layer,
        change: r.change,
        attributes: r.attributes,
        risks,
      };
    });
  const risks = sortRisks(resources.flatMap((r) => r.risks.filter((x) => x.kind !== 'production')));
  if (production && resources.length > 0)
    risks.push({ kind: 'production', subject: `${city}/${env}`, message: 'these changes apply to production' });
  const notes =
    summary.drift.length > 0
      ? [
          `${summary.drift.length} resource(s) changed outside storm since the last apply: ${summary.drift.map((d) => d.address).join(', ')}`,
        ]
      : [];
  return {
    formatVersion: DIFF_FORMAT_VERSION,
    kind: 'plan',
    city,
    env,
    ...(planFile === undefined ? {} : { planFile }),
    hasChanges: resources.length > 0,
    counts: { manifestChanges: 0, ...countResources(resources), risks: risks.length },
    layers: LAYERS.map((layer) => ({ layer, resources: resources.filter((r) => r.layer === layer) })).filter(
      (l) => l.resources.length > 0,
    ),
    risks,
    notes,
  };
}

/** A saved `tofu show -json` document read into a DiffReport. */
export function planDocumentDiff(city: string, env: string, showJson: unknown, planFile?: string): DiffReport {
  return planDiffReport(city, env, summarizePlan(showJson), planFile);
}
