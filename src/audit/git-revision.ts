/**
 * Reads another revision of the project through git — the city manifest, the
 * templates, the policy settings and the manifest schema of that revision —
 * into a temporary directory, never by checking it out over the user's work.
 * git and tar run through the engine's one subprocess door (runTool).
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { runTool } from '../engine/tofu';
import { StormError } from '../errors';
import { POLICY_CONFIG_FILE } from './policy-config';

export interface RevisionProject {
  ref: string;
  /** Full commit id the ref named. */
  commit: string;
  /** A project directory (stacks/, templates/) holding that revision's files. */
  dir: string;
  /** True when stacks/<city>.yaml exists in that revision. */
  hasManifest: boolean;
  /** The manifest schema of that revision, when it had one at the usual place. */
  schemaText?: string;
  cleanup(): void;
}

export const SCHEMA_PATH = 'src/manifest/city-manifest.schema.json';

async function git(cwd: string, args: readonly string[]): Promise<string> {
  const r = await runTool('git', args, { cwd });
  if (r.exitCode !== 0)
    throw new StormError('usage', `git ${args.join(' ')} failed: ${r.stderr.trim().split('\n')[0] ?? ''}`, {
      hint: 'storm diff --from needs the project to be inside a git repository',
    });
  return r.stdout;
}

export async function resolveCommit(cwd: string, ref: string): Promise<string> {
  if (ref.startsWith('-')) throw new StormError('usage', `"${ref}" is not a git revision`);
  const r = await runTool('git', ['rev-parse', '--verify', '--quiet', `${ref}^{commit}`], { cwd });
  if (r.exitCode !== 0) {
    const inRepo = await runTool('git', ['rev-parse', '--is-inside-work-tree'], { cwd });
    if (inRepo.exitCode !== 0)
      throw new StormError('usage', `${cwd} is not inside a git repository`, {
        hint: 'storm diff --from reads other revisions through git',
      });
    throw new StormError('usage', `no git revision "${ref}"`, {
      hint: 'name a commit, branch or tag, e.g. --from HEAD or --from origin/main',
    });
  }
  return r.stdout.trim();
}

export async function checkoutRevision(cwd: string, ref: string, city: string): Promise<RevisionProject> {
  const commit = await resolveCommit(cwd, ref);
  const prefix = (await git(cwd, ['rev-parse', '--show-prefix'])).trim();
  const wanted = [`stacks/${city}.yaml`, `stacks/${city}.yml`, 'templates', POLICY_CONFIG_FILE, SCHEMA_PATH].map(
    (p) => `${prefix}${p}`,
  );
  const listed = (await git(cwd, ['ls-tree', '--name-only', commit, '--', ...wanted]))
    .split('\n')
    .filter((l) => l !== '');
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'storm-rev-'));
  const cleanup = (): void => fs.rmSync(tmp, { recursive: true, force: true });
  try {
    if (listed.length > 0) {
      const tar = path.join(tmp, 'revision.tar');
      await git(cwd, ['archive', '--format=tar', '-o', tar, commit, '--', ...listed]);
      const x = await runTool('tar', ['-xf', tar, '-C', tmp], { cwd: tmp });
      if (x.exitCode !== 0) throw new StormError('internal', `cannot unpack revision ${ref}: ${x.stderr.trim()}`);
      fs.rmSync(tar);
    }
    const dir = path.join(tmp, prefix);
    fs.mkdirSync(path.join(dir, 'stacks'), { recursive: true });
    const schemaFile = path.join(dir, SCHEMA_PATH);
    const hasManifest = listed.some((l) => l.endsWith(`stacks/${city}.yaml`) || l.endsWith(`stacks/${city}.yml`));
    return {
      ref,
      commit,
      dir,
      hasManifest,
      ...(fs.existsSync(schemaFile) ? { schemaText: fs.readFileSync(schemaFile, 'utf8') } : {}),
      cleanup,
    };
  } catch (err) {
    cleanup();
    throw err;
  }
}
