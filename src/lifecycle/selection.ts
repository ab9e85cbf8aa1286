/**
 * Which cities a run covers when a fleet is split over CI jobs: `--shard I/N`
 * deals the selected cities over N jobs, and `--changed-since <ref>` keeps only
 * the cities a change can affect (their manifest, the templates they use, the
 * storm they run, the policy settings).
 *
 * Sharding is "sort by name, deal round-robin": the city at position p of the
 * name-sorted selection goes to shard (p mod N) + 1. Shards then differ by at
 * most one city, the assignment is a pure function of the selection and N (every
 * job of one pipeline sees the same checkout, so they agree), and a person can
 * predict it from `storm list`. Rendezvous hashing would keep a city on its shard
 * when others are added, but cannot promise the ±1 balance; a shard holds no
 * state of its own (state and locks are per city and environment), so a city
 * moving to another shard when the fleet grows costs nothing.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { POLICY_CONFIG_FILE } from '../audit/policy-config';
import type { runTool as RunTool } from '../engine/tofu';
import { StormError } from '../errors';
import { listCities, readManifest, resolveManifestRef, STACKS_DIR } from '../manifest/files';

export interface ShardSpec {
  /** 1-based. */
  index: number;
  count: number;
}

/** Parses `I/N` (1 ≤ I ≤ N ≤ 1000). */
export function parseShard(text: string): ShardSpec {
  const m = /^(\d{1,4})\/(\d{1,4})$/.exec(text.trim());
  const index = Number(m?.[1]);
  const count = Number(m?.[2]);
  if (m === null || count < 1 || count > 1000 || index < 1 || index > count)
    throw new StormError('usage', `--shard must be I/N with 1 ≤ I ≤ N ≤ 1000, not "${text}"`, {
      hint: 'e.g. --shard 2/4 runs the second of four shares; in CI: --shard $CI_NODE_INDEX/$CI_NODE_TOTAL',
    });
  return { index, count };
}

/** The shard (1-based) of each name: sorted by code point, dealt round-robin over count shards. */
export function dealShards(names: readonly string[], count: number): Map<string, number> {
  const sorted = [...new Set(names)].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  return new Map(sorted.map((name, i) => [name, (i % count) + 1]));
}

/** The names of one shard, in name order. */
export function shardMembers(names: readonly string[], spec: ShardSpec): string[] {
  return [...dealShards(names, spec.count)].filter(([, shard]) => shard === spec.index).map(([name]) => name);
}

/** What a city uses that a change elsewhere in the project can reach. */
export interface CityUses {
  name: string;
  /** Template names of its services. */
  templates: readonly string[];
}

/** Why a city is selected by --changed-since. */
export type ChangeReason = string;

/** Files whose change means storm itself (its version or pin) changed for every city. */
const STORM_VERSION_FILES = new Set(['package.json', 'package-lock.json', 'npm-shrinkwrap.json', '.storm-version']);
/** Files in templates/ that are no template of their own and touch no build. */
const TEMPLATE_DOCS = /^templates\/[^/]+\.md$/i;

/**
 * The cities a set of changed paths (relative to the project, `/`-separated) can affect,
 * each with the reasons, in name order. A manifest that was removed selects nothing:
 * there is no city left to plan.
 */
export function citiesAffected(
  cities: readonly CityUses[],
  changedPaths: readonly string[],
): Map<string, ChangeReason[]> {
  const reasons = new Map<string, ChangeReason[]>();
  const add = (city: string, reason: ChangeReason): void => {
    const list = reasons.get(city) ?? [];
    if (!list.includes(reason)) list.push(reason);
    reasons.set(city, list);
  };
  for (const p of changedPaths) {
    const manifest = new RegExp(`^${STACKS_DIR}/([^/]+)\\.ya?ml$`, 'i').exec(p);
    if (manifest !== null) {
      const city = manifest[1];
      if (cities.some((c) => c.name === city)) add(city as string, `manifest ${p}`);
      continue;
    }
    if (STORM_VERSION_FILES.has(p)) {
      for (const c of cities) add(c.name, `storm version (${p})`);
      continue;
    }
    if (p === POLICY_CONFIG_FILE) {
      for (const c of cities) add(c.name, `policy settings (${p})`);
      continue;
    }
    const template = /^templates\/([^/]+)\/./.exec(p);
    if (template !== null && !template[1]?.startsWith('_')) {
      const name = template[1] as string;
      for (const c of cities) if (c.templates.includes(name)) add(c.name, `template ${name}`);
      continue;
    }
    // Shared template code (templates/_runtime/, the templates' build settings) reaches every service.
    if (p.startsWith('templates/') && !TEMPLATE_DOCS.test(p))
      for (const c of cities) if (c.templates.length > 0) add(c.name, `shared template code (${p})`);
  }
  return new Map([...reasons].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

/** The engine's subprocess door, loaded only when git is needed (it brings execa). */
async function runTool(...args: Parameters<typeof RunTool>): ReturnType<typeof RunTool> {
  return (await import('../engine/tofu.js')).runTool(...args);
}

async function git(cwd: string, args: readonly string[]): Promise<string> {
  const r = await runTool('git', args, { cwd });
  if (r.exitCode !== 0)
    throw new StormError('usage', `git ${args.join(' ')} failed: ${r.stderr.trim().split('\n')[0] ?? ''}`, {
      hint: '--changed-since needs the project inside a git repository with the named revision fetched (CI: a deep enough clone)',
    });
  return r.stdout;
}

/** Paths (relative to cwd) that differ between <ref> and the working tree, untracked files included. */
export async function changedPathsSince(cwd: string, ref: string): Promise<string[]> {
  if (ref.startsWith('-') || ref.trim() === '') throw new StormError('usage', `"${ref}" is not a git revision`);
  const verify = await runTool('git', ['rev-parse', '--verify', '--quiet', `${ref}^{commit}`], { cwd });
  if (verify.exitCode !== 0) {
    const inRepo = await runTool('git', ['rev-parse', '--is-inside-work-tree'], { cwd });
    throw new StormError(
      'usage',
      inRepo.exitCode !== 0 ? `${cwd} is not inside a git repository` : `no git revision "${ref}"`,
      {
        hint:
          inRepo.exitCode !== 0
            ? '--changed-since compares against a git revision'
            : 'name a commit, branch or tag, e.g. --changed-since origin/main (CI: fetch it first)',
      },
    );
  }
  const commit = verify.stdout.trim();
  const diffed = await git(cwd, ['diff', '--name-only', '--no-renames', '--relative', commit, '--']);
  const untracked = await git(cwd, ['ls-files', '--others', '--exclude-standard']);
  const paths = `${diffed}\n${untracked}`
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l !== '');
  return [...new Set(paths)].sort();
}

/** The template names a city's services use; an unreadable manifest uses none (validate reports it). */
function templatesOf(cwd: string, city: string): string[] {
  try {
    const data = readManifest(resolveManifestRef(city, cwd), cwd).data as { services?: unknown } | null | undefined;
    const services: unknown[] = Array.isArray(data?.services) ? data.services : [];
    return services.flatMap((s) => {
      const template = (s as { template?: unknown } | null)?.template;
      return typeof template === 'string' ? [template] : [];
    });
  } catch {
    return [];
  }
}

export interface SelectionFlags {
  all?: boolean;
  shard?: string;
  changedSince?: string;
}

export interface CitySelection {
  cities: string[];
  /** True when the cities came from the fleet (--all, --shard, --changed-since): none selected is no error. */
  fleet: boolean;
  shard?: ShardSpec;
  /** With --changed-since: why each selected city was selected. */
  reasons?: Record<string, ChangeReason[]>;
}

/**
 * Named cities, or the fleet (--all, or implied by --shard / --changed-since), narrowed to
 * what changed since a revision, then dealt to one shard.
 */
export async function selectCities(
  cwd: string,
  named: readonly string[],
  flags: SelectionFlags,
): Promise<CitySelection> {
  const fleet = flags.all === true || flags.shard !== undefined || flags.changedSince !== undefined;
  if (named.length > 0 && (flags.all === true || flags.changedSince !== undefined))
    throw new StormError('usage', `name cities or use ${flags.all === true ? '--all' : '--changed-since'}, not both`);
  const shard = flags.shard === undefined ? undefined : parseShard(flags.shard);
  let cities = named.length > 0 ? [...new Set(named)] : fleet ? listCities(cwd) : [];
  let reasons: Record<string, ChangeReason[]> | undefined;
  if (flags.changedSince !== undefined) {
    const changed = await changedPathsSince(cwd, flags.changedSince);
    const affected = citiesAffected(
      cities.map((name) => ({ name, templates: templatesOf(cwd, name) })),
      changed,
    );
    cities = cities.filter((c) => affected.has(c));
    reasons = Object.fromEntries(affected);
  }
  if (shard !== undefined) cities = shardMembers(cities, shard);
  else if (fleet) cities = [...cities].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  if (!fleet && cities.length === 0)
    throw new StormError('usage', 'name at least one city (or use --all, --shard or --changed-since)', {
      hint: 'storm list shows the cities',
    });
  if (fleet && flags.changedSince === undefined && listCities(cwd).length === 0 && named.length === 0)
    throw new StormError('usage', `no city manifests in ${path.join(cwd, STACKS_DIR)}`, {
      hint: fs.existsSync(path.join(cwd, STACKS_DIR))
        ? 'storm init <city> writes one'
        : 'run storm in the project directory',
    });
  return {
    cities,
    fleet,
    ...(shard === undefined ? {} : { shard }),
    ...(reasons === undefined ? {} : { reasons }),
  };
}
