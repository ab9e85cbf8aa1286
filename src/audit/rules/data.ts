/** Personal data and published data: encryption, public containers, versioning. */
import type { PolicyContext, PolicyRule, RuleHit } from '../policy-types';
import { groupField, personalDataGroups } from './rule-helpers';

export function isEncryptedType(type: string | undefined, ctx: Pick<PolicyContext, 'config'>): boolean {
  if (type === undefined) return false;
  if (ctx.config.encryptedVolumeTypes.length > 0) return ctx.config.encryptedVolumeTypes.includes(type);
  return /encrypt|luks/i.test(type);
}

export const dataRules: PolicyRule[] = [
  {
    id: 'STORM-DATA-001',
    name: 'data.public-container-not-open-data',
    family: 'DATA',
    scope: 'environment',
    severity: 'error',
    title: 'no public object container unless it is marked openData',
    hint: 'make the container private, or mark it openData: true if it really publishes open data',
    check: (ctx) => {
      const hits: RuleHit[] = [];
      ctx.city.storage.containers.forEach((c, i) => {
        if (c.acl === 'public-read' && !c.openData) {
          hits.push({
            subject: `storage.containers.${c.name}`,
            path: groupField(ctx, 'storage.containers', i, 'acl'),
            message: `container "${c.name}" is readable by anyone but is not marked openData`,
          });
        }
      });
      return hits;
    },
  },
  {
    id: 'STORM-DATA-002',
    name: 'data.personal-data-in-public-container',
    family: 'DATA',
    scope: 'environment',
    severity: 'error',
    title: 'a public (open data) container holds no personal data',
    hint: 'publish only anonymised data; keep personal data in a private container',
    check: (ctx) => {
      const hits: RuleHit[] = [];
      ctx.city.storage.containers.forEach((c, i) => {
        if (c.acl === 'public-read' && c.personalData) {
          hits.push({
            subject: `storage.containers.${c.name}`,
            path: groupField(ctx, 'storage.containers', i, 'personalData'),
            message: `container "${c.name}" is public and holds personal data`,
          });
        }
      });
      return hits;
    },
  },
  {
    id: 'STORM-DATA-003',
    name: 'data.personal-data-unencrypted-volume',
    family: 'DATA',
    scope: 'environment',
    severity: 'error',
    title: 'volumes holding personal data use an encrypted volume type',
    hint: 'set type to an encrypted volume type (e.g. type: encrypted) for volumes with personal data',
    check: (ctx) => {
      const hits: RuleHit[] = [];
      const personal = personalDataGroups(ctx.city);
      ctx.city.storage.volumes.forEach((v, i) => {
        const users = ctx.city.compute.groups
          .filter((g) => g.volumes.includes(v.name) && personal.has(g.name))
          .map((g) => g.name);
        if (!v.personalData && users.length === 0) return;
        if (isEncryptedType(v.type, ctx)) return;
        const why = v.personalData
          ? 'is marked personalData'
          : `is attached to ${users.map((u) => `"${u}"`).join(', ')}, which process${users.length === 1 ? 'es' : ''} personal data`;
        hits.push({
          subject: `storage.volumes.${v.name}`,
          path: groupField(ctx, 'storage.volumes', i, 'type'),
          message: `volume "${v.name}" ${why} but its type is ${v.type === undefined ? 'the cloud default' : `"${v.type}"`}, not an encrypted type`,
        });
      });
      return hits;
    },
  },
  {
    id: 'STORM-DATA-004',
    name: 'data.container-without-versioning',
    family: 'DATA',
    scope: 'environment',
    severity: 'warning',
    title: 'document containers (private ones) keep object versions',
    hint: 'set versioning: true so an overwritten or deleted document can be recovered',
    check: (ctx) => {
      const hits: RuleHit[] = [];
      ctx.city.storage.containers.forEach((c, i) => {
        if (c.openData || c.versioning) return;
        hits.push({
          subject: `storage.containers.${c.name}`,
          path: groupField(ctx, 'storage.containers', i, 'versioning'),
          message: `container "${c.name}" keeps no versions of its documents`,
        });
      });
      return hits;
    },
  },
];
