import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import {
  type Found,
  type Machine,
  type Requirement,
  compareVersions,
  decide,
  postgresBinDirs,
  readVersion,
  requirements,
} from './prepare';
import { prepareMachine } from './prepare-machine';

const repoRoot = path.join(__dirname, '..', '..');
const reqs = requirements({ postgresDirs: postgresBinDirs(['15']) });
const byName = (name: string): Requirement => reqs.find((r) => r.name === name) as Requirement;
const cloudInit = byName('cloud-init');
const git = byName('git');

const present = (version: string): Found => ({ state: 'present', path: '/usr/bin/x', version });
const root: Machine = { root: true, sudo: false, apt: true, aptLists: true };
const sudoer: Machine = { root: false, sudo: true, apt: true, aptLists: true };
const neither: Machine = { root: false, sudo: false, apt: true, aptLists: true };
const install = ['apt-get', 'install', '-y', '-qq', '--no-install-recommends', '-o', 'DPkg::Lock::Timeout=600'];

describe('decide', () => {
  const two = [cloudInit, git];

  it('does nothing when every program is there and recent enough', () => {
    const found = new Map([
      ['cloud-init', present('22.4.2')],
      ['git', present('2.39.5')],
    ]);
    expect(decide(two, found, neither)).toEqual({ action: 'none' });
  });

  it('installs a missing program with apt as root, without recommends, waiting for the dpkg lock', () => {
    const d = decide(two, new Map([['git', present('2.39.5')]]), root);
    expect(d).toMatchObject({ action: 'install', packages: ['cloud-init'], commands: [[...install, 'cloud-init']] });
  });

  it('goes through password-less sudo, passing DEBIAN_FRONTEND as sudo does not keep the environment', () => {
    const d = decide(two, new Map([['git', present('2.39.5')]]), sudoer);
    expect(d).toMatchObject({
      action: 'install',
      commands: [['sudo', '-n', 'DEBIAN_FRONTEND=noninteractive', ...install, 'cloud-init']],
    });
  });

  it('runs apt-get update first on a machine with no package lists', () => {
    const d = decide(two, new Map([['git', present('2.39.5')]]), { ...root, aptLists: false });
    expect(d).toMatchObject({
      commands: [
        ['apt-get', 'update', '-qq', '-o', 'DPkg::Lock::Timeout=600'],
        [...install, 'cloud-init'],
      ],
    });
  });

  it('upgrades a program that is too old, and names each package once', () => {
    const pg = byName('PostgreSQL');
    const d = decide([cloudInit, git, pg], new Map([['cloud-init', present('20.4')]]), root);
    expect(d).toMatchObject({ action: 'install', packages: ['cloud-init', 'git', 'postgresql'] });
    if (d.action !== 'install') throw new Error('unreachable');
    expect(d.problems.map((p) => [p.requirement.name, p.reason, p.version])).toEqual([
      ['cloud-init', 'too-old', '20.4'],
      ['git', 'missing', undefined],
      ['PostgreSQL', 'missing', undefined],
    ]);
  });

  it('without root or sudo, stops with one message: what is missing, who uses it, the exact command', () => {
    const d = decide(two, new Map([['cloud-init', present('21.4')]]), neither);
    expect(d.action).toBe('stop');
    if (d.action !== 'stop') throw new Error('unreachable');
    expect(d.message).toBe(
      [
        'npm test needs programs this machine does not have (no test was run):',
        '  cloud-init (Debian package cloud-init): 21.4 is older than 22.1; used by tests/deploy/cloud-init.test.ts',
        '  git (Debian package git): not found; used by tests/audit/diff-revisions.test.ts',
        'Install them, then run npm test again:',
        '  sudo apt-get install -y --no-install-recommends cloud-init git',
      ].join('\n'),
    );
  });

  it('as root without apt-get, stops naming the Debian packages', () => {
    const d = decide([cloudInit], new Map(), { ...root, apt: false });
    expect(d).toMatchObject({ action: 'stop' });
    if (d.action !== 'stop') throw new Error('unreachable');
    expect(d.message).toMatch(/no apt-get: install this package \(Debian names\).*: cloud-init$/);
  });

  it('treats a version it cannot read as unusable rather than guessing', () => {
    const d = decide(
      [cloudInit],
      new Map([['cloud-init', { state: 'present', path: '/usr/bin/cloud-init' } as Found]]),
      neither,
    );
    expect(d).toMatchObject({ action: 'stop', problems: [{ reason: 'unreadable-version' }] });
  });
});

describe('versions', () => {
  it('compares numerically, part by part', () => {
    expect(compareVersions('22.4.2', '22.1')).toBe(1);
    expect(compareVersions('9.1.0', '10')).toBe(-1);
    expect(compareVersions('22', '22.0')).toBe(0);
  });

  it("reads each program's own answer", () => {
    const answers: [string, string, string][] = [
      ['cloud-init', '/usr/bin/cloud-init 22.4.2\n', '22.4.2'],
      ['systemd-analyze', 'systemd 252 (252.39-1~deb12u2)\n+PAM +AUDIT\n', '252'],
      ['PostgreSQL', 'initdb (PostgreSQL) 15.18 (Debian 15.18-0+deb12u1)\n', '15.18'],
      // Debian's wrapper script may complain before the browser answers.
      [
        'chromium',
        '/usr/bin/chromium: 9: [: 25276157952: unexpected operator\nChromium 156.0.8078.129 built on Debian',
        '156.0.8078.129',
      ],
      ['openstack', 'openstack 6.0.0\n', '6.0.0'],
      ['nova', 'nova CLI is deprecated and will be a removed in a future release\n18.1.0\n', '18.1.0'],
      ['swift', 'python-swiftclient 4.1.0\n', '4.1.0'],
      ['tar', 'tar (GNU tar) 1.34\n', '1.34'],
    ];
    for (const [name, answer, version] of answers)
      expect([name, readVersion(byName(name), answer)]).toEqual([name, version]);
  });

  it('looks for PostgreSQL in the newest major version first', () => {
    expect(postgresBinDirs(['13', '16', 'README', '9'])).toEqual([
      '/usr/lib/postgresql/16/bin',
      '/usr/lib/postgresql/13/bin',
      '/usr/lib/postgresql/9/bin',
      '/usr/local/bin',
      '/usr/bin',
    ]);
  });
});

describe('the list of requirements', () => {
  const testFiles = (dir: string): string[] =>
    fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
      const p = path.join(dir, e.name);
      if (e.isDirectory()) return testFiles(p);
      return e.name.endsWith('.ts') ? [p] : [];
    });

  it('names test files that exist', () => {
    for (const r of reqs) for (const f of r.usedBy) expect(fs.existsSync(path.join(repoRoot, f)), f).toBe(true);
  });

  it('covers every program a test spawns, except the base system', () => {
    const base = new Set(['sh', 'bash', 'id', 'runuser']);
    const listed = new Set(reqs.map((r) => r.command).filter((c) => c !== undefined));
    const spawned = new Set<string>();
    for (const file of testFiles(path.join(repoRoot, 'tests'))) {
      const text = fs.readFileSync(file, 'utf8');
      for (const m of text.matchAll(/\b(?:spawn|spawnSync|execFile|execFileSync)\(\s*'([^']+)'/g))
        spawned.add(m[1] as string);
    }
    expect(spawned.size).toBeGreaterThan(3);
    expect([...spawned].filter((p) => !base.has(p) && !listed.has(p)).sort()).toEqual([]);
  });
});

describe('prepareMachine on a machine where cloud-init is missing (fake apt-get, PATH hiding the real one)', () => {
  const dirs: string[] = [];
  afterEach(() => {
    for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
  });

  /** A bin/ holding only a fake apt-get that logs its calls and "installs" a cloud-init answering `version`. */
  function fakeMachine(version: string, aptExit = 0): { bin: string; aptLog: string; lists: string } {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'storm-prepare-'));
    dirs.push(dir);
    const bin = path.join(dir, 'bin');
    const lists = path.join(dir, 'lists');
    fs.mkdirSync(bin);
    fs.mkdirSync(lists);
    const aptLog = path.join(dir, 'apt.log');
    fs.writeFileSync(
      path.join(bin, 'apt-get'),
      [
        '#!/bin/sh',
        `echo "$* | $DEBIAN_FRONTEND" >> '${aptLog}'`,
        `if [ "$1" = install ]; then printf '#!/bin/sh\\necho "/usr/bin/cloud-init ${version}"\\n' > '${bin}/cloud-init'; /bin/chmod +x '${bin}/cloud-init'; fi`,
        aptExit === 0 ? 'exit 0' : `echo 'E: Unable to locate package cloud-init' >&2; exit ${aptExit}`,
      ].join('\n'),
      { mode: 0o755 },
    );
    return { bin, aptLog, lists };
  }

  function run(m: { bin: string; lists: string }, uid: number) {
    const lines: string[] = [];
    const result = prepareMachine({
      requirements: [cloudInit],
      env: { PATH: m.bin },
      uid,
      aptListsDir: m.lists,
      log: (l) => lines.push(l),
    });
    return { result, lines };
  }

  it('as root: updates the empty package lists, installs it, and says so in one line', () => {
    const m = fakeMachine('22.4.2');
    const { result, lines } = run(m, 0);
    expect(result).toMatchObject({ ok: true });
    expect(lines).toEqual([
      '» installed cloud-init 22.4.2 (apt-get install cloud-init) for tests/deploy/cloud-init.test.ts',
    ]);
    expect(fs.readFileSync(m.aptLog, 'utf8').trim().split('\n')).toEqual([
      'update -qq -o DPkg::Lock::Timeout=600 | noninteractive',
      'install -y -qq --no-install-recommends -o DPkg::Lock::Timeout=600 cloud-init | noninteractive',
    ]);
    // Next time it is there: nothing to do, nothing said.
    expect(run(m, 0)).toEqual({ result: { ok: true, present: 1, installed: [] }, lines: [] });
  });

  it('through password-less sudo', () => {
    const m = fakeMachine('22.4.2');
    fs.writeFileSync(
      path.join(m.bin, 'sudo'),
      // -n true answers the probe; otherwise VAR=value then the program, from this bin/.
      '#!/bin/sh\n[ "$1" = -n ] && shift\n[ "$1" = true ] && exit 0\nexport "$1"; shift\np="$1"; shift\nexec "$(/usr/bin/dirname "$0")/$p" "$@"\n',
      { mode: 0o755 },
    );
    fs.writeFileSync(path.join(m.lists, 'deb.debian.org_debian_dists_bookworm_main_binary-amd64_Packages.lz4'), '');
    const { result, lines } = run(m, 1000);
    expect(result).toMatchObject({ ok: true });
    expect(lines).toEqual([
      '» installed cloud-init 22.4.2 (apt-get install cloud-init, through sudo) for tests/deploy/cloud-init.test.ts',
    ]);
  });

  it('without root or sudo: installs nothing and returns the exact command', () => {
    const m = fakeMachine('22.4.2');
    const { result, lines } = run(m, 1000);
    expect(lines).toEqual([]);
    expect(fs.existsSync(m.aptLog)).toBe(false);
    expect(result).toMatchObject({ ok: false });
    if (result.ok) throw new Error('unreachable');
    expect(result.message.split('\n').at(-1)).toBe('  sudo apt-get install -y --no-install-recommends cloud-init');
  });

  it('stops with what apt-get said when it fails (after refreshing the lists once)', () => {
    const m = fakeMachine('22.4.2', 100);
    fs.writeFileSync(path.join(m.lists, 'x_Packages'), '');
    const { result } = run(m, 0);
    expect(result).toMatchObject({ ok: false });
    if (result.ok) throw new Error('unreachable');
    expect(result.message).toContain('E: Unable to locate package cloud-init');
    expect(fs.readFileSync(m.aptLog, 'utf8').match(/^\w+/gm)).toEqual(['install', 'update', 'install']);
  });

  it('stops when what apt installs is still too old', () => {
    const { result } = run(fakeMachine('20.4'), 0);
    expect(result).toMatchObject({ ok: false });
    if (result.ok) throw new Error('unreachable');
    expect(result.message).toContain('cloud-init (Debian package cloud-init): 20.4 is older than 22.1');
    expect(result.message).toContain('apt-get install ran, and this is still so.');
  });
});
