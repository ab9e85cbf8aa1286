/** The commit a run came from: CI's variable, else the checkout's HEAD read from .git (no git run). */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { headCommit, sourceCommit } from '../../src/lifecycle/source-commit';

const A = '1111111111111111111111111111111111111111';
const B = '2222222222222222222222222222222222222222';
const dirs: string[] = [];
function tmp(): string {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), 'storm-commit-'));
  dirs.push(d);
  return d;
}
function write(file: string, text: string): void {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, text);
}
afterEach(() => {
  for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});

describe('headCommit', () => {
  it('follows HEAD to a loose ref, from a folder below the checkout', () => {
    const root = tmp();
    write(path.join(root, '.git', 'HEAD'), 'ref: refs/heads/main\n');
    write(path.join(root, '.git', 'refs', 'heads', 'main'), `${A}\n`);
    fs.mkdirSync(path.join(root, 'stacks'));
    expect(headCommit(path.join(root, 'stacks'))).toBe(A);
  });

  it('reads packed-refs, a detached HEAD, and a linked worktree through its commondir', () => {
    const root = tmp();
    write(path.join(root, '.git', 'HEAD'), 'ref: refs/heads/main\n');
    write(
      path.join(root, '.git', 'packed-refs'),
      `# pack-refs with: peeled fully-peeled sorted\n${B} refs/heads/main\n`,
    );
    expect(headCommit(root)).toBe(B);

    const wt = path.join(root, 'wt');
    write(path.join(wt, '.git'), `gitdir: ${path.join(root, '.git', 'worktrees', 'wt')}\n`);
    write(path.join(root, '.git', 'worktrees', 'wt', 'HEAD'), 'ref: refs/heads/main\n');
    write(path.join(root, '.git', 'worktrees', 'wt', 'commondir'), '../..\n');
    expect(headCommit(wt)).toBe(B);

    write(path.join(root, '.git', 'worktrees', 'wt', 'HEAD'), `${A}\n`);
    expect(headCommit(wt)).toBe(A);
  });

  it('knows no commit outside git, before the first commit, or for a ref that escapes the git folder', () => {
    const root = tmp();
    expect(headCommit(root)).toBeUndefined();
    write(path.join(root, '.git', 'HEAD'), 'ref: refs/heads/main\n');
    expect(headCommit(root)).toBeUndefined();
    write(path.join(root, 'outside'), `${A}\n`);
    write(path.join(root, '.git', 'HEAD'), 'ref: refs/../../outside\n');
    expect(headCommit(root)).toBeUndefined();
  });
});

describe('sourceCommit', () => {
  it("prefers CI's commit variable, ignores one that is no commit", () => {
    const root = tmp();
    write(path.join(root, '.git', 'HEAD'), `${A}\n`);
    expect(sourceCommit(root, { CI_COMMIT_SHA: B })).toBe(B);
    expect(sourceCommit(root, { GITHUB_SHA: B.toUpperCase() })).toBe(B);
    expect(sourceCommit(root, { CI_COMMIT_SHA: 'main' })).toBe(A);
    expect(sourceCommit(root, {})).toBe(A);
  });
});
