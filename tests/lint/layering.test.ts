/**
 * The map in ARCHITECTURE.md is enforced by `npm run lint` (eslint.config.mjs): these
 * fixtures, linted as if they sat at the given paths, show that each rule bites and
 * that each door stays open where it should. The last test reads every import of
 * src/ and checks that no two folders depend on each other, even through others.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { ESLint } from 'eslint';
import { describe, expect, it } from 'vitest';

const ROOT = path.join(__dirname, '..', '..');
const eslint = new ESLint({ cwd: ROOT });

/** "rule: message" of each problem ESLint finds in `code` placed at `file`. */
async function problems(file: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath: path.join(ROOT, file) });
  return (result?.messages ?? []).map((m) => `${m.ruleId ?? 'parse'}: ${m.message}`);
}

async function bites(file: string, code: string, rule: string, says: RegExp): Promise<void> {
  const found = await problems(file, code);
  expect(
    found.some((p) => p.startsWith(`${rule}: `) && says.test(p)),
    `${file}: expected ${rule} /${says.source}/, got ${JSON.stringify(found)}`,
  ).toBe(true);
}

describe('layering', () => {
  it.each([
    ['src/engine/x.ts', '../lifecycle/plan', /engine\/ does not import lifecycle\//],
    ['src/deploy/x.ts', '../lifecycle/context', /deploy\/ does not import lifecycle\//],
    ['src/audit/x.ts', '../lifecycle/fan-out', /audit\/ does not import lifecycle\//],
    ['src/synth/x.ts', '../engine/plan', /synth\/ does not import engine\//],
    ['src/cloud/x.ts', '../sandbox/control', /cloud\/ does not import sandbox\//],
    ['src/engine/x.ts', '../audit/policy', /engine\/ does not import audit\//],
    ['src/manifest/x.ts', '../synth/naming', /manifest\/ does not import synth\//],
    ['src/manifest/x.ts', '../cloud/credentials', /manifest\/ does not import cloud\//],
    ['src/report/x.ts', '../lifecycle/plan', /report\/ does not import lifecycle\//],
    ['src/lifecycle/x.ts', '../cli/output', /lifecycle\/ does not import cli\//],
    ['src/sandbox/services/x/y.ts', '../../../engine/tofu', /sandbox\/ does not import engine\//],
    ['src/pins.ts', './manifest/model', /leaves/],
  ])('%s may not import %s', async (file, from, says) => {
    await bites(file, `import { a } from '${from}';\nexport const b = a;\n`, 'no-restricted-imports', says);
  });

  it('lets imports flow down, and a folder import its own files', async () => {
    const down = [
      ['src/cli/commands/x.ts', '../../lifecycle/plan'],
      ['src/lifecycle/x.ts', '../engine/plan'],
      ['src/lifecycle/x.ts', './deploy'],
      ['src/audit/x.ts', '../engine/plan-changes'],
      ['src/deploy/x.ts', '../cloud/openstack-client'],
      ['src/synth/x.ts', '../manifest/model'],
      ['src/manifest/x.ts', '../errors'],
    ];
    for (const [file = '', from] of down)
      expect(await problems(file, `import { a } from '${from}';\nexport const b = a;\n`)).toEqual([]);
  });
});

describe('doors', () => {
  const subprocess = `import { execa } from 'execa';\nexport const run = execa;\n`;
  const nodeSpawn = `import { spawn } from 'node:child_process';\nexport const run = spawn;\n`;
  const colour = `import chalk from 'chalk';\nexport const red = chalk.red;\n`;
  const cdktf = `import { App } from 'cdktf';\nexport const app = new App();\n`;
  const construct = `import { Construct } from 'constructs';\nexport class C extends Construct {}\n`;

  it('keeps subprocesses in the engine door and the sandbox control', async () => {
    await bites('src/engine/plan.ts', subprocess, 'no-restricted-imports', /engine's door/);
    await bites('src/audit/git-revision.ts', nodeSpawn, 'no-restricted-imports', /engine's door/);
    await bites('src/sandbox/bench.ts', nodeSpawn, 'no-restricted-imports', /sandbox's control/);
    expect(await problems('src/engine/tofu.ts', subprocess)).toEqual([]);
    expect(await problems('src/sandbox/control.ts', nodeSpawn)).toEqual([]);
    expect(await problems('src/sandbox/service-runner.ts', nodeSpawn)).toEqual([]);
  });

  it('keeps colour in report/ and cli/output.ts', async () => {
    await bites('src/cli/commands/plan.ts', colour, 'no-restricted-imports', /colour belongs to report/);
    await bites('src/lifecycle/plan.ts', colour, 'no-restricted-imports', /colour/);
    expect(await problems('src/report/x.ts', colour)).toEqual([]);
    expect(await problems('src/cli/output.ts', colour)).toEqual([]);
  });

  it('keeps cdktf and constructs behind synth/cdktf.ts', async () => {
    await bites('src/synth/network.ts', cdktf, 'no-restricted-imports', /synth\/cdktf\.ts/);
    await bites('src/synth/compute.ts', construct, 'no-restricted-imports', /synth\/cdktf\.ts/);
    expect(await problems('src/synth/cdktf.ts', cdktf)).toEqual([]);
  });

  it('keeps stdout and stderr in cli/output.ts, and console out of src/', async () => {
    const write = `export function say(s: string): void {\n  process.stdout.write(s);\n  process.stderr.write(s);\n}\n`;
    await bites('src/cli/main.ts', write, 'no-restricted-properties', /'process\.stdout'.*cli\/output\.ts/);
    await bites('src/engine/x.ts', write, 'no-restricted-properties', /'process\.stderr'/);
    await bites(
      'src/lifecycle/x.ts',
      `const { stdout } = process;\nexport const s = stdout;\n`,
      'no-restricted-properties',
      /stdout/,
    );
    await bites('src/deploy/x.ts', `console.log('deployed');\n`, 'no-console', /console/);
    expect(await problems('src/cli/output.ts', write)).toEqual([]);
  });

  it("sends every request to a cloud through its transport, so the cloud's TLS settings apply", async () => {
    const call = `export async function f(u: string): Promise<number> {\n  return (await fetch(u)).status;\n}\n`;
    await bites('src/cloud/x.ts', call, 'no-restricted-globals', /transport/);
    await bites('src/deploy/x.ts', call, 'no-restricted-globals', /transport/);
    await bites('src/lifecycle/x.ts', call, 'no-restricted-globals', /transport/);
    expect(await problems('src/deploy/health-check.ts', call)).toEqual([]);
  });

  it('has the core throw StormError, never a bare Error', async () => {
    const bare = `export function f(): never {\n  throw new Error('no');\n}\n`;
    await bites('src/manifest/x.ts', bare, 'no-restricted-syntax', /StormError/);
    await bites('src/lifecycle/x.ts', bare, 'no-restricted-syntax', /StormError/);
    expect(await problems('src/sandbox/core/x.ts', bare)).toEqual([]);
  });
});

/** Relative imports (static, dynamic and `export ... from`) of a TypeScript source. */
function importsOf(text: string): string[] {
  return [...text.matchAll(/(?:\bfrom\s+|\bimport\s*\(\s*|\bimport\s+)'(\.{1,2}\/[^']*)'/g)].map((m) => m[1] ?? '');
}

/** The top folder of src/ a file is in ('' for the leaves, src/*.ts). */
function folderOf(file: string): string {
  const rel = path.relative(path.join(ROOT, 'src'), file).split(path.sep);
  return rel.length === 1 ? '' : (rel[0] ?? '');
}

function sourcesUnder(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) return sourcesUnder(p);
    return e.name.endsWith('.ts') && !e.name.endsWith('.d.ts') ? [p] : [];
  });
}

/** Folder → the folders its files import. */
function folderGraph(): Map<string, Set<string>> {
  const graph = new Map<string, Set<string>>();
  for (const file of sourcesUnder(path.join(ROOT, 'src'))) {
    const from = folderOf(file);
    const edges = graph.get(from) ?? new Set<string>();
    graph.set(from, edges);
    for (const spec of importsOf(fs.readFileSync(file, 'utf8'))) {
      const to = folderOf(path.resolve(path.dirname(file), spec));
      if (to !== from) edges.add(to);
    }
  }
  return graph;
}

/** A cycle of the graph as "a → b → a", or undefined when it has none. */
function findCycle(graph: Map<string, Set<string>>): string | undefined {
  const state = new Map<string, 'open' | 'done'>();
  const stack: string[] = [];
  const visit = (node: string): string | undefined => {
    state.set(node, 'open');
    stack.push(node);
    for (const next of [...(graph.get(node) ?? [])].sort()) {
      if (state.get(next) === 'open') return [...stack.slice(stack.indexOf(next)), next].join(' → ');
      if (state.get(next) === undefined) {
        const found = visit(next);
        if (found !== undefined) return found;
      }
    }
    stack.pop();
    state.set(node, 'done');
    return undefined;
  };
  for (const node of [...graph.keys()].sort()) {
    if (state.get(node) !== undefined) continue;
    const found = visit(node);
    if (found !== undefined) return found;
  }
  return undefined;
}

describe('folders of src/', () => {
  it('finds a cycle when there is one', () => {
    const g = new Map([
      ['cloud', new Set(['sandbox'])],
      ['sandbox', new Set(['deploy'])],
      ['deploy', new Set(['cloud', 'manifest'])],
    ]);
    expect(findCycle(g)).toBe('cloud → sandbox → deploy → cloud');
    expect(findCycle(new Map([['a', new Set(['b'])]]))).toBeUndefined();
    expect(importsOf(`import a from './x';\nexport { b } from '../y/z';\nconst c = import('./w');\n`)).toEqual([
      './x',
      '../y/z',
      './w',
    ]);
  });

  it('depend on each other without a cycle, and the core on nothing above it', () => {
    const graph = folderGraph();
    expect(findCycle(graph)).toBeUndefined();
    for (const core of ['engine', 'deploy', 'audit', 'synth', 'cloud', 'manifest'])
      expect([...(graph.get(core) ?? [])].filter((f) => ['lifecycle', 'cli', 'report'].includes(f))).toEqual([]);
    expect([...(graph.get('') ?? [])]).toEqual([]);
    expect(graph.get('lifecycle')?.has('engine')).toBe(true);
  });
});
