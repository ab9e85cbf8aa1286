import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import Ajv2020 from 'ajv/dist/2020';
import addFormats from 'ajv-formats';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { storm as run, withoutCloud, type StormResult } from '../support/storm';

const ROOT = path.join(__dirname, '..', '..');
const schema = JSON.parse(
  fs.readFileSync(path.join(ROOT, 'src', 'report', 'json-schemas', 'diff.schema.json'), 'utf8'),
) as object;
const ajv = new Ajv2020({ allErrors: true, strict: false });
addFormats(ajv);
const validate = ajv.compile(schema);

let repo: string;

function git(...args: string[]): string {
  const r = spawnSync('git', args, {
    cwd: repo,
    encoding: 'utf8',
    env: {
      ...process.env,
      GIT_AUTHOR_NAME: 't',
      GIT_AUTHOR_EMAIL: 't@example.org',
      GIT_COMMITTER_NAME: 't',
      GIT_COMMITTER_EMAIL: 't@example.org',
    },
  });
  if (r.status !== 0) throw new Error(`git ${args.join(' ')}: ${r.stderr}`);
  return r.stdout;
}

function storm(...args: string[]): StormResult {
  // No cloud: no OS_* variables, no clouds.yaml, no state.
  return run(['--no-color', ...args], {
    project: repo,
    env: withoutCloud({ OS_CLIENT_CONFIG_FILE: '/nonexistent/clouds.yaml' }),
  });
}

const manifestFile = (): string => path.join(repo, 'stacks', 'valladolid.yaml');

function lineOf(needle: string): number {
  const i = fs
    .readFileSync(manifestFile(), 'utf8')
    .split('\n')
    .findIndex((l) => l.includes(needle));
  expect(i).toBeGreaterThanOrEqual(0);
  return i + 1;
}

beforeAll(() => {
  repo = fs.mkdtempSync(path.join(os.tmpdir(), 'storm-diff-'));
  fs.cpSync(path.join(ROOT, 'stacks'), path.join(repo, 'stacks'), { recursive: true });
  // Templates as the project has them (their files are checked with the manifest), without build output.
  fs.cpSync(path.join(ROOT, 'templates'), path.join(repo, 'templates'), {
    recursive: true,
    filter: (src) => !/[\\/](node_modules|dist)([\\/]|$)/.test(src),
  });
  git('init', '-q');
  git('add', '-A');
  git('commit', '-q', '-m', 'pilots');
  // The change under review: the SSH rule of the web tier opened to the world.
  const text = fs.readFileSync(manifestFile(), 'utf8');
  const edited = text.replace(/(ports: 22, remote: )admin(, description: SSH)/, '$10.0.0.0/0$2');
  expect(edited).not.toBe(text);
  fs.writeFileSync(manifestFile(), edited);
});

afterAll(() => fs.rmSync(repo, { recursive: true, force: true }));

describe('storm diff --from (offline)', () => {
  it('markdown shows the rule change with its line and the affected resources', () => {
    const before = git('status', '--porcelain');
    const r = storm('diff', 'valladolid', '--from', 'HEAD', '--format', 'markdown');
    expect(r.code, r.stderr).toBe(0);
    const line = lineOf('ports: 22, remote: 0.0.0.0/0');
    expect(r.stdout).toContain('| layer | create | update | replace | delete |');
    expect(r.stdout).toMatch(/security\.groups\.web\.rules\[\d\]\.remote/);
    expect(r.stdout).toContain(`stacks/valladolid.yaml:${line}:`);
    expect(r.stdout).toMatch(/`"admin"` \| `"0\.0\.0\.0\/0"` \| `openstack_networking_secgroup_rule_v2\.web\w*`/);
    expect(r.stdout).toMatch(/<details><summary>security \(\d\)<\/summary>/);
    expect(r.stdout).toContain('**exposure**');
    // The user's work is untouched.
    expect(git('status', '--porcelain')).toBe(before);
  });

  it('JSON validates against the documented schema and attributes the change', () => {
    const r = storm('diff', 'valladolid', '--from', 'HEAD', '--json', '--env', 'production');
    expect(r.code, r.stderr).toBe(0);
    const doc = JSON.parse(r.stdout) as {
      result: {
        kind: string;
        manifest: { path: string; affected?: string[]; toLocation?: { line: number } }[];
        layers: { layer: string; resources: { change: string }[] }[];
        risks: { kind: string }[];
      };
    };
    expect(validate(doc), JSON.stringify(validate.errors)).toBe(true);
    const change = doc.result.manifest.find((m) => m.path.endsWith('.remote'));
    expect(change?.toLocation?.line).toBe(lineOf('ports: 22, remote: 0.0.0.0/0'));
    // Whether the provider replaces the rule or synthesis renames it, only web's SSH rule is touched.
    expect(change?.affected?.length).toBeGreaterThan(0);
    for (const a of change?.affected ?? []) expect(a).toMatch(/^openstack_networking_secgroup_rule_v2\.web\w*$/);
    expect(doc.result.layers.map((l) => l.layer)).toEqual(['security']);
    expect(doc.result.layers[0]!.resources.map((x) => x.change).sort()).toEqual(
      change!.affected!.length === 1 ? ['replace'] : ['create', 'delete'],
    );
    expect(doc.result.risks.map((x) => x.kind)).toEqual(expect.arrayContaining(['exposure', 'production']));
  });

  it('compares two commits with --to, and --detailed-exitcode exits 2 on changes', () => {
    git('commit', '-q', '-am', 'open ssh');
    const r = storm(
      'diff',
      'valladolid',
      '--from',
      'HEAD~1',
      '--to',
      'HEAD',
      '--format',
      'text',
      '--detailed-exitcode',
    );
    expect(r.code, r.stderr).toBe(2);
    expect(r.stdout).toContain('HEAD~1');
    expect(r.stdout).toMatch(/(-\/\+|\+|-) +openstack_networking_secgroup_rule_v2\.web\w*/);
    const none = storm('diff', 'valladolid', '--from', 'HEAD', '--detailed-exitcode');
    expect(none.code).toBe(0);
    expect(none.stdout).toContain('no changes');
  });

  it('an unknown revision is a clear error without a stack trace', () => {
    const r = storm('diff', 'valladolid', '--from', 'no-such-branch');
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('no git revision "no-such-branch"');
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });
});

describe('storm diff --from when the older templates do not pass the current checks', () => {
  it('reads the older manifest with the working tree templates and says so', () => {
    const old = repo;
    repo = fs.mkdtempSync(path.join(os.tmpdir(), 'storm-diff-old-'));
    try {
      fs.cpSync(path.join(ROOT, 'stacks'), path.join(repo, 'stacks'), { recursive: true });
      // Committed: a template that is only a template.yaml with an unknown key (this storm refuses it).
      fs.cpSync(path.join(ROOT, 'templates'), path.join(repo, 'templates'), {
        recursive: true,
        filter: (src) => !/[\\/](node_modules|dist)([\\/]|$)/.test(src),
      });
      const tpl = path.join(repo, 'templates', 'urbanismo-en-red', 'template.yaml');
      const good = fs.readFileSync(tpl, 'utf8');
      fs.writeFileSync(tpl, `${good.trimEnd()}\nlegacyKey: true\n`);
      git('init', '-q');
      git('add', '-A');
      git('commit', '-q', '-m', 'old templates');
      fs.writeFileSync(tpl, good);
      const r = storm('diff', 'valladolid', '--from', 'HEAD');
      expect(r.code, r.stderr).toBe(0);
      expect(r.stdout).toContain("note: the templates of HEAD do not pass this storm's checks");
      expect(fs.readFileSync(tpl, 'utf8')).toBe(good);
    } finally {
      fs.rmSync(repo, { recursive: true, force: true });
      repo = old;
    }
  });
});
