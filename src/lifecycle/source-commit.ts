/**
 * The git commit a run came from, for its audit record: what the CI system says it
 * checked out, else the HEAD of the git checkout around the project. Read from the
 * repository's files, not by running git: an audit record is written on every plan
 * and apply, and a subprocess there would cost more than the lookup is worth.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { GIT_COMMIT } from '../audit/audit-record';

/** The commit variables of the CI systems storm writes pipelines for (and Jenkins's git plugin). */
const CI_COMMIT_VARIABLES = ['CI_COMMIT_SHA', 'GITHUB_SHA', 'GIT_COMMIT'] as const;

function readText(file: string): string | undefined {
  try {
    return fs.readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
}

/** The git directory of the checkout holding dir, and its common directory (they differ in a linked worktree). */
export function gitDirsOf(dir: string): { gitDir: string; commonDir: string } | undefined {
  for (let at = path.resolve(dir); ; at = path.dirname(at)) {
    const dotGit = path.join(at, '.git');
    let gitDir: string | undefined;
    try {
      const st = fs.statSync(dotGit);
      if (st.isDirectory()) gitDir = dotGit;
      else if (st.isFile()) {
        const m = /^gitdir:\s*(.+?)\s*$/m.exec(readText(dotGit) ?? '');
        if (m?.[1] !== undefined) gitDir = path.resolve(at, m[1]);
      }
    } catch {
      // no .git here: look further up
    }
    if (gitDir !== undefined) {
      const common = readText(path.join(gitDir, 'commondir'))?.trim();
      return { gitDir, commonDir: common === undefined || common === '' ? gitDir : path.resolve(gitDir, common) };
    }
    if (path.dirname(at) === at) return undefined;
  }
}

/** The commit a ref names (loose ref in either directory, else packed-refs); undefined when it names none. */
function resolveRef(dirs: { gitDir: string; commonDir: string }, ref: string): string | undefined {
  if (!/^refs\/[A-Za-z0-9._/-]+$/.test(ref) || ref.includes('..')) return undefined;
  for (const base of [dirs.gitDir, dirs.commonDir]) {
    const loose = readText(path.join(base, ref))?.trim();
    if (loose !== undefined && GIT_COMMIT.test(loose)) return loose;
  }
  for (const line of (readText(path.join(dirs.commonDir, 'packed-refs')) ?? '').split('\n')) {
    const [sha, name] = line.trim().split(' ');
    if (name === ref && sha !== undefined && GIT_COMMIT.test(sha)) return sha;
  }
  return undefined;
}

/** The HEAD commit of the checkout holding dir; undefined outside git or before the first commit. */
export function headCommit(dir: string): string | undefined {
  const dirs = gitDirsOf(dir);
  if (dirs === undefined) return undefined;
  const head = readText(path.join(dirs.gitDir, 'HEAD'))?.trim() ?? '';
  if (GIT_COMMIT.test(head)) return head;
  const m = /^ref:\s*(\S+)$/.exec(head);
  return m?.[1] === undefined ? undefined : resolveRef(dirs, m[1]);
}

/** CI's commit variable when it holds a commit, else the checkout's HEAD. */
export function sourceCommit(cwd: string, env: Readonly<Record<string, string | undefined>>): string | undefined {
  for (const name of CI_COMMIT_VARIABLES) {
    const value = env[name]?.trim().toLowerCase();
    if (value !== undefined && GIT_COMMIT.test(value)) return value;
  }
  return headCommit(cwd);
}
