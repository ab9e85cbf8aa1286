/** What every synthesis layer needs to know about the city it builds. */
import type { ResolvedCity, ResolvedComputeGroup } from '../manifest/model';
import type { ServiceNeeds } from '../manifest/templates';
import { cloudName, resourceTags, serverTags } from './naming';

export interface SynthContext {
  readonly city: ResolvedCity;
  /** `<city>-<env>-<thing...>` */
  name(...thing: (string | number)[]): string;
  /** Labels every taggable resource carries (storm's own plus the manifest's tags). */
  readonly labels: Readonly<Record<string, string>>;
  /** The labels as Neutron tags ("key=value"). */
  readonly tags: string[];
  /** The labels that fit Nova's stricter server tags. */
  readonly serverTags: string[];
}

/** Which instance a hook is asked about. */
export interface InstanceSlot {
  group: ResolvedComputeGroup;
  /** 1-based. */
  index: number;
  /** Cloud name, `<city>-<env>-<group>-<index>`. */
  name: string;
}

/** What synthesis takes besides the resolved city. */
export interface SynthExtras {
  /** What the city's services need (manifest/templates.ts serviceNeeds); merged into the model. */
  services?: readonly ServiceNeeds[];
  /** The deploy stage's cloud-init user data per instance. */
  userData?: (slot: InstanceSlot) => string | undefined;
  /**
   * The cloud's `insecure` / `verify: false`: provider 3.4.0 reads `insecure` from its configuration
   * only (its OS_INSECURE default is ignored), so it is the one transport setting written here. Not a secret.
   */
  insecure?: boolean;
}

export function synthContext(city: ResolvedCity): SynthContext {
  const labels: Record<string, string> = {};
  for (const [k, v] of Object.entries(city.tags)) if (v !== undefined) labels[k] = v;
  labels['storm-city'] = city.city.name;
  labels['storm-env'] = city.env;
  return {
    city,
    name: (...thing) => cloudName(city.city.name, city.env, ...thing),
    labels,
    tags: resourceTags(labels),
    serverTags: serverTags(labels),
  };
}
