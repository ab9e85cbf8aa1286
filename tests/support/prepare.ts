/**
 * What the test suite needs from the machine, and what to do about what is missing: install it with apt
 * (as root, or through password-less sudo) or stop before the first test with the exact command to run.
 * Pure: the probing and the installing are in prepare-machine.ts; this module only decides, so it is
 * tested with literal machine states.
 */

/** A program (or file) some tests use, the Debian package that provides it, and the oldest usable version. */
export interface Requirement {
  /** What messages call it. */
  name: string;
  /** The Debian package that provides it. */
  package: string;
  /** A program looked up on PATH and then in `dirs` (or an absolute path). */
  command?: string;
  /** Where the program lives when it is not on PATH (PostgreSQL's server binaries). */
  dirs?: readonly string[];
  /** A file whose presence is the requirement (fonts have no program to ask). */
  file?: string;
  /** How to ask the program its version, and where the version is in the answer (first capture group). */
  versionArgs?: readonly string[];
  versionPattern?: RegExp;
  /** The oldest version the suite is known to work with. */
  minVersion?: string;
  /** The test files that use it (shown when it is missing, and checked to exist). */
  usedBy: readonly string[];
}

/** What the machine has for one requirement. */
export type Found =
  | { state: 'missing' }
  /** `version` is undefined when the program answered without a version we could read. */
  | { state: 'present'; path: string; version?: string; answer?: string };

/** Who runs the tests and what package manager the machine has. */
export interface Machine {
  root: boolean;
  /** `sudo -n true` works (password-less sudo). */
  sudo: boolean;
  /** apt-get is on PATH. */
  apt: boolean;
  /** apt has package lists (a fresh container has none until `apt-get update`). */
  aptLists: boolean;
}

export interface Problem {
  requirement: Requirement;
  reason: 'missing' | 'too-old' | 'unreadable-version';
  version?: string;
}

export type Decision =
  | { action: 'none' }
  /** Run `commands` in order (each an argv), then probe again. */
  | { action: 'install'; problems: Problem[]; packages: string[]; commands: string[][] }
  | { action: 'stop'; problems: Problem[]; message: string };

/** PostgreSQL's server programs are not on PATH on Debian: newest major version first, then PATH-like dirs. */
export function postgresBinDirs(majors: readonly string[]): string[] {
  const sorted = majors.filter((m) => /^\d+$/.test(m)).sort((a, b) => Number(b) - Number(a));
  return [...sorted.map((m) => `/usr/lib/postgresql/${m}/bin`), '/usr/local/bin', '/usr/bin'];
}

/**
 * Everything the suite uses that npm does not install. Minimum versions are those of Debian 12 (bookworm),
 * which the suite runs on, unless an older one is known to work.
 */
export function requirements(options: { chromium?: string; postgresDirs: readonly string[] }): Requirement[] {
  return [
    {
      name: 'cloud-init',
      package: 'cloud-init',
      command: 'cloud-init',
      versionArgs: ['--version'],
      versionPattern: /cloud-init (\d+(?:\.\d+)*)/,
      minVersion: '22.1',
      usedBy: ['tests/deploy/cloud-init.test.ts'],
    },
    {
      name: 'systemd-analyze',
      package: 'systemd',
      command: 'systemd-analyze',
      versionArgs: ['--version'],
      versionPattern: /^systemd (\d+)/m,
      minVersion: '247',
      usedBy: ['tests/deploy/cloud-init-scripts.test.ts'],
    },
    {
      name: 'PostgreSQL',
      package: 'postgresql',
      command: 'initdb',
      dirs: options.postgresDirs,
      versionArgs: ['--version'],
      versionPattern: /\(PostgreSQL\) (\d+(?:\.\d+)*)/,
      minVersion: '13',
      usedBy: ['tests/audit/audit-log-pg.test.ts', 'tests/e2e/lifecycle-pg.test.ts'],
    },
    {
      name: 'chromium',
      package: 'chromium',
      command: options.chromium ?? '/usr/bin/chromium',
      versionArgs: ['--version'],
      versionPattern: /Chromium (\d+(?:\.\d+)*)/,
      // playwright-core drives it over CDP; older builds lack what it sends.
      minVersion: '120',
      usedBy: [
        'tests/templates/participa.browser.test.ts',
        'tests/templates/urbanismo-en-red.browser.test.ts',
        'tests/templates/virtual-city-marketplace.browser.test.ts',
      ],
    },
    {
      name: 'Liberation fonts',
      package: 'fonts-liberation',
      // Chromium's text (and so the contrast checks and screenshots) needs real fonts.
      file: '/usr/share/fonts/truetype/liberation/LiberationSans-Regular.ttf',
      usedBy: ['tests/templates/participa.browser.test.ts'],
    },
    {
      name: 'openstack',
      package: 'python3-openstackclient',
      command: 'openstack',
      versionArgs: ['--version'],
      versionPattern: /openstack (\d+(?:\.\d+)*)/,
      minVersion: '6.0',
      usedBy: [
        'tests/sandbox/lifecycle.test.ts',
        'tests/sandbox/network-openstack-cli.test.ts',
        'tests/sandbox/compute-openstack-cli.test.ts',
      ],
    },
    {
      name: 'nova',
      package: 'python3-novaclient',
      command: 'nova',
      versionArgs: ['--version'],
      versionPattern: /^(\d+\.\d+\.\d+)$/m,
      minVersion: '18.1',
      usedBy: ['tests/sandbox/compute-openstack-cli.test.ts'],
    },
    {
      name: 'cinder',
      package: 'python3-cinderclient',
      command: 'cinder',
      versionArgs: ['--version'],
      versionPattern: /^(\d+\.\d+\.\d+)$/m,
      minVersion: '9.1',
      usedBy: ['tests/sandbox/compute-openstack-cli.test.ts'],
    },
    {
      // `openstack container …` needs the Swift client library.
      name: 'swift',
      package: 'python3-swiftclient',
      command: 'swift',
      versionArgs: ['--version'],
      versionPattern: /python-swiftclient (\d+(?:\.\d+)*)/,
      minVersion: '4.1',
      usedBy: ['tests/sandbox/lifecycle.test.ts'],
    },
    {
      name: 'git',
      package: 'git',
      command: 'git',
      versionArgs: ['--version'],
      versionPattern: /git version (\d+(?:\.\d+)*)/,
      minVersion: '2.25',
      usedBy: ['tests/audit/diff-revisions.test.ts'],
    },
    {
      name: 'tar',
      package: 'tar',
      command: 'tar',
      versionArgs: ['--version'],
      versionPattern: /\(GNU tar\) (\d+(?:\.\d+)*)/,
      minVersion: '1.30',
      usedBy: ['tests/deploy/artifact.test.ts'],
    },
  ];
}

/** Compares dotted versions numerically: -1, 0 or 1. Missing parts count as 0 ("22" equals "22.0"). */
export function compareVersions(a: string, b: string): number {
  const pa = a.split('.').map(Number);
  const pb = b.split('.').map(Number);
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
    const x = pa[i] ?? 0;
    const y = pb[i] ?? 0;
    if (x !== y) return x < y ? -1 : 1;
  }
  return 0;
}

/** Reads the version out of a program's answer, or undefined. */
export function readVersion(requirement: Requirement, answer: string): string | undefined {
  if (requirement.versionPattern === undefined) return undefined;
  return requirement.versionPattern.exec(answer)?.[1];
}

export function problemWith(requirement: Requirement, found: Found): Problem | undefined {
  if (found.state === 'missing') return { requirement, reason: 'missing' };
  if (requirement.minVersion === undefined) return undefined;
  if (found.version === undefined) return { requirement, reason: 'unreadable-version' };
  if (compareVersions(found.version, requirement.minVersion) < 0)
    return { requirement, reason: 'too-old', version: found.version };
  return undefined;
}

const APT_INSTALL = ['apt-get', 'install', '-y', '-qq', '--no-install-recommends'];
/** Other test runs may be installing at the same moment: wait for the dpkg lock instead of failing. */
const APT_LOCK_WAIT = ['-o', 'DPkg::Lock::Timeout=600'];

/** The command a person runs, as shown in messages. */
export function installCommandLine(packages: readonly string[], root: boolean): string {
  return `${root ? '' : 'sudo '}apt-get install -y --no-install-recommends ${packages.join(' ')}`;
}

function describeProblem(p: Problem): string {
  const what =
    p.reason === 'missing'
      ? 'not found'
      : p.reason === 'too-old'
        ? `${p.version} is older than ${p.requirement.minVersion}`
        : `its version could not be read (at least ${p.requirement.minVersion} is needed)`;
  return `  ${p.requirement.name} (Debian package ${p.requirement.package}): ${what}; used by ${p.requirement.usedBy.join(', ')}`;
}

/** The message that stops the run: what is missing, who uses it, and the exact command that fixes it. */
export function stopMessage(problems: readonly Problem[], machine: Machine, why?: string): string {
  const packages = unique(problems.map((p) => p.requirement.package));
  const fix = machine.apt
    ? `Install ${packages.length === 1 ? 'it' : 'them'}, then run npm test again:\n  ${installCommandLine(packages, machine.root)}`
    : `This machine has no apt-get: install ${packages.length === 1 ? 'this package' : 'these packages'} (Debian names) with its package manager, then run npm test again: ${packages.join(' ')}`;
  return [
    `npm test needs ${problems.length === 1 ? 'a program' : 'programs'} this machine does not have (no test was run):`,
    ...problems.map(describeProblem),
    ...(why === undefined ? [] : [why]),
    fix,
  ].join('\n');
}

function unique(xs: readonly string[]): string[] {
  return [...new Set(xs)];
}

/**
 * Decides what to do with what the machine has: nothing, install with apt (root or password-less sudo),
 * or stop with the exact command.
 */
export function decide(reqs: readonly Requirement[], found: ReadonlyMap<string, Found>, machine: Machine): Decision {
  const problems = reqs.flatMap((r) => {
    const p = problemWith(r, found.get(r.name) ?? { state: 'missing' });
    return p === undefined ? [] : [p];
  });
  if (problems.length === 0) return { action: 'none' };
  if (!machine.apt || !(machine.root || machine.sudo))
    return { action: 'stop', problems, message: stopMessage(problems, machine) };
  const packages = unique(problems.map((p) => p.requirement.package));
  // sudo resets the environment, so the variable travels as sudo's own VAR=value argument.
  const prefix = machine.root ? [] : ['sudo', '-n', 'DEBIAN_FRONTEND=noninteractive'];
  const commands = [
    ...(machine.aptLists ? [] : [[...prefix, 'apt-get', 'update', '-qq', ...APT_LOCK_WAIT]]),
    [...prefix, ...APT_INSTALL, ...APT_LOCK_WAIT, ...packages],
  ];
  return { action: 'install', problems, packages, commands };
}

/** The one line that says a requirement was installed. */
export function installedLine(requirement: Requirement, found: Found, asRoot: boolean): string {
  const version = found.state === 'present' && found.version !== undefined ? ` ${found.version}` : '';
  return `» installed ${requirement.name}${version} (apt-get install ${requirement.package}${asRoot ? '' : ', through sudo'}) for ${requirement.usedBy.join(', ')}`;
}
