/**
 * Waivers live in the manifest next to what they waive. This finds every waiver
 * that applies to one environment, names what it waives the way rule hits name
 * their subject, and decides which hits it covers.
 */
import type { Waiver } from '../manifest/city-manifest.types';
import type { CityManifest } from '../manifest/model';
import { serviceName } from '../manifest/model';
import type { DocPath } from '../manifest/source';
import type { LoadedManifest } from '../manifest/load';
import type { WaiverRef } from './policy-types';

export interface PlacedWaiver extends WaiverRef {
  /** Where the waiver is written (for blame). */
  path: DocPath;
}

type Named = { name: string; waivers?: Waiver[] };

export function collectWaivers(
  loaded: Pick<LoadedManifest, 'locate'>,
  manifest: CityManifest,
  env: string,
): PlacedWaiver[] {
  const out: PlacedWaiver[] = [];
  const add = (list: Waiver[] | undefined, path: DocPath, subject: string): void => {
    (list ?? []).forEach((w, i) => {
      const at: DocPath = [...path, 'waivers', i];
      out.push({
        rule: w.rule,
        reason: w.reason,
        approvedBy: w.approvedBy,
        expires: w.expires,
        subject,
        path: at,
        location: loaded.locate(at),
      });
    });
  };
  const topLevel = (list: Waiver[] | undefined, path: DocPath): void => {
    (list ?? []).forEach((w, i) => {
      const at: DocPath = [...path, 'waivers', i];
      out.push({
        rule: w.rule,
        reason: w.reason,
        approvedBy: w.approvedBy,
        expires: w.expires,
        subject: w.target ?? '',
        path: at,
        location: loaded.locate(at),
      });
    });
  };
  topLevel(manifest.waivers, []);
  const o = manifest.environments[env];
  if (o !== undefined) topLevel(o.waivers, ['environments', env]);

  const items = <T extends Named>(
    list: T[] | undefined,
    path: DocPath,
    prefix: string,
    overrides: Record<string, { waivers?: Waiver[] } | undefined> | undefined,
    overridePath: DocPath,
  ): void => {
    (list ?? []).forEach((item, i) => add(item.waivers, [...path, i], `${prefix}.${item.name}`));
    for (const [name, ov] of Object.entries(overrides ?? {}))
      add(ov?.waivers, [...overridePath, name], `${prefix}.${name}`);
  };
  const envPath: DocPath = ['environments', env];

  // Security groups and their rules; an override that replaces the rules also replaces their waivers.
  (manifest.security?.groups ?? []).forEach((g, gi) => {
    add(g.waivers, ['security', 'groups', gi], `security.groups.${g.name}`);
    const ov = o?.security?.groups?.[g.name];
    if (ov?.rules === undefined)
      (g.rules ?? []).forEach((r, ri) =>
        add(r.waivers, ['security', 'groups', gi, 'rules', ri], `security.groups.${g.name}.rules[${ri}]`),
      );
  });
  for (const [name, ov] of Object.entries(o?.security?.groups ?? {})) {
    add(ov?.waivers, [...envPath, 'security', 'groups', name], `security.groups.${name}`);
    (ov?.rules ?? []).forEach((r, ri) =>
      add(r.waivers, [...envPath, 'security', 'groups', name, 'rules', ri], `security.groups.${name}.rules[${ri}]`),
    );
  }
  items(manifest.compute?.groups, ['compute', 'groups'], 'compute.groups', o?.compute?.groups, [
    ...envPath,
    'compute',
    'groups',
  ]);
  items(manifest.storage?.volumes, ['storage', 'volumes'], 'storage.volumes', o?.storage?.volumes, [
    ...envPath,
    'storage',
    'volumes',
  ]);
  items(manifest.storage?.containers, ['storage', 'containers'], 'storage.containers', o?.storage?.containers, [
    ...envPath,
    'storage',
    'containers',
  ]);
  items(manifest.partners, ['partners'], 'partners', o?.partners, [...envPath, 'partners']);
  (manifest.services ?? []).forEach((s, i) => add(s.waivers, ['services', i], `services.${serviceName(s)}`));
  for (const [name, ov] of Object.entries(o?.services ?? {}))
    add(ov?.waivers, [...envPath, 'services', name], `services.${name}`);
  return out;
}

/** A waiver is valid through its `expires` day. */
export function isExpired(waiver: Pick<WaiverRef, 'expires'>, today: string): boolean {
  return waiver.expires < today;
}

/** True when a waiver's `rule` names this rule: its id (any case) or its name. */
export function namesRule(waiverRule: string, rule: { id: string; name: string }): boolean {
  return waiverRule.toLowerCase() === rule.id.toLowerCase() || waiverRule === rule.name;
}

/** True when the waiver names the rule and its subject is the hit's subject or contains it. */
export function covers(
  waiver: Pick<WaiverRef, 'rule' | 'subject'>,
  rule: { id: string; name: string },
  subject: string,
): boolean {
  if (!namesRule(waiver.rule, rule)) return false;
  if (waiver.subject === '') return true;
  return (
    subject === waiver.subject || subject.startsWith(`${waiver.subject}.`) || subject.startsWith(`${waiver.subject}[`)
  );
}

export function toWaiverRef(w: PlacedWaiver): WaiverRef {
  return {
    rule: w.rule,
    reason: w.reason,
    approvedBy: w.approvedBy,
    expires: w.expires,
    subject: w.subject,
    location: w.location,
  };
}
