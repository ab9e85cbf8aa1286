/**
 * Per-instance user data: a `#cloud-config` document that installs Node,
 * prepares the data volume, writes the service config and systemd units,
 * fetches the artifact from object storage and starts the service.
 *
 * New versions reach running instances without replacing them: the user data
 * names a stable artifact URL, and a systemd timer on the instance re-fetches
 * it (conditional on its ETag), installs a changed artifact as a new release
 * and restarts the service. Nothing version-specific is in the user data, so
 * bumping a template's version does not change it (and the instance stays).
 *
 * No secret is inlined: the admin token is generated on the instance, on the
 * data volume, by the service itself at first start.
 */
import { Document, parse } from 'yaml';
import { StormError } from '../errors';
import type { TemplateDefinition, TemplateTier } from '../manifest/templates';

/** The JSON the service reads from STORM_SERVICE_CONFIG (templates/_runtime/config.ts mirrors it). */
export interface ServiceRuntimeConfig {
  service: string;
  template: string;
  city: { name: string; displayName: string; country?: string };
  environment: string;
  /** The manifest's city contacts: the accessibility statement's feedback contact and the privacy notice's DPO (role `dpo`). */
  contacts: ServiceContact[];
  /** Partners who receive data from the tenancy, for the privacy notice. */
  partners: { name: string; description?: string }[];
  languages: string[];
  parameters: Record<string, unknown>;
  /** Public URL of each object container the service uses, by container name. */
  objectStorage: { containers: Record<string, string> };
  /* No adminTokenFile: the service keeps its token in $STORM_DATA_DIR/admin-token, so the same config works on a VM and in the sandbox. */
}

export interface ServiceContact {
  name: string;
  email: string;
  role?: string;
  phone?: string;
}

/** What the sandbox reads (from write_files) to run the service as a local process, the way a VM would. */
export interface SandboxServiceHint {
  apiVersion: 'storm/v1';
  kind: 'ServiceInstance';
  service: string;
  template: string;
  instance: string;
  artifactUrl: string;
  /** Entry script inside the extracted artifact. */
  entry: string;
  /** PEM public key that must have signed the release pointer. */
  releaseKey: string;
  port: number;
  healthCheck: string;
  dataDir: string;
  configFile: string;
  config: ServiceRuntimeConfig;
}

export const SANDBOX_HINT_PATH = '/etc/storm/service.json';

/** Top-level keys of cloud-init's cloud-config that storm may emit (and tests hold it to). */
export const KNOWN_CLOUD_CONFIG_KEYS = [
  'bootcmd',
  'disk_setup',
  'fs_setup',
  'mounts',
  'package_update',
  'package_upgrade',
  'packages',
  'runcmd',
  'users',
  'groups',
  'write_files',
  'final_message',
  'timezone',
  'ssh_pwauth',
  'hostname',
  'manage_etc_hosts',
] as const;

export interface CloudInitInput {
  city: {
    name: string;
    displayName: string;
    languages: string[];
    country?: string;
    contacts?: readonly ServiceContact[];
    partners?: readonly { name: string; description?: string }[];
  };
  environment: string;
  /** The manifest's service: its name (defaults to the template name) and resolved parameters. */
  service: { name: string; parameters: Record<string, unknown> };
  template: TemplateDefinition;
  /** Which of the template's tiers this instance runs. */
  tier: string;
  instance: { name: string; hostname?: string };
  /** Stable URL of the service artifact (a .tar.gz) in object storage. */
  artifactUrl: string;
  /** PEM public key of the city's release key: the instance installs only releases it signed. */
  releaseKey: string;
  /** Public URL of each object container, by container name. */
  containerUrls: Record<string, string>;
  /** Block device of each tier volume, by volume name; default /dev/vdb, /dev/vdc, … in declaration order. */
  volumeDevices?: Record<string, string>;
}

const LIB = '/usr/local/lib/storm';

export function servicePaths(service: string): {
  root: string;
  configDir: string;
  configFile: string;
  unit: string;
  updateUnit: string;
} {
  return {
    root: `/opt/storm/${service}`,
    configDir: `/etc/storm/${service}`,
    configFile: `/etc/storm/${service}/config.json`,
    unit: `storm-${service}`,
    updateUnit: `storm-${service}-update`,
  };
}

function tierOf(template: TemplateDefinition, name: string): TemplateTier {
  const tier = template.needs.tiers.find((t) => t.name === name);
  if (tier === undefined)
    throw new StormError(
      'invalid-manifest',
      `template ${template.name} has no tier ${name} (tiers: ${template.needs.tiers.map((t) => t.name).join(', ')})`,
    );
  return tier;
}

/** The tier's data directory: its first volume's mount path (or a directory on the root disk when it has none). */
export function dataDirOf(template: TemplateDefinition, tierName: string, service: string): string {
  return tierOf(template, tierName).volumes[0]?.mountPath ?? `/var/lib/storm/${service}`;
}

export function serviceRuntimeConfig(input: CloudInitInput): ServiceRuntimeConfig {
  const containers: Record<string, string> = {};
  for (const c of input.template.needs.containers) {
    const url = input.containerUrls[c.name];
    if (url !== undefined) containers[c.name] = url;
  }
  return {
    service: input.service.name,
    template: input.template.name,
    city: {
      name: input.city.name,
      displayName: input.city.displayName,
      ...(input.city.country === undefined ? {} : { country: input.city.country }),
    },
    environment: input.environment,
    contacts: (input.city.contacts ?? []).map((c) => ({
      name: c.name,
      email: c.email,
      ...(c.role === undefined ? {} : { role: c.role }),
      ...(c.phone === undefined ? {} : { phone: c.phone }),
    })),
    partners: (input.city.partners ?? []).map((p) => ({
      name: p.name,
      ...(p.description === undefined ? {} : { description: p.description }),
    })),
    languages: [...input.city.languages],
    parameters: input.service.parameters,
    objectStorage: { containers },
  };
}

const PREPARE_DATA = `#!/bin/sh
# storm: make DEVICE the filesystem at MOUNTPOINT (formatting it only when it
# holds none), owned by OWNER. Volumes may attach after boot, so wait for them.
set -eu
dev="$1"; mnt="$2"; owner="$3"
mkdir -p "$mnt"
if ! mountpoint -q "$mnt"; then
  i=0
  while [ ! -b "$dev" ] && [ "$i" -lt 180 ]; do sleep 1; i=$((i + 1)); done
  if [ ! -b "$dev" ]; then echo "storm: volume $dev did not appear" >&2; exit 1; fi
  blkid "$dev" >/dev/null 2>&1 || mkfs.ext4 -q -L storm-data "$dev"
  mount -o defaults,noatime "$dev" "$mnt"
fi
chown "$owner:$owner" "$mnt"
chmod 0750 "$mnt"
`;

const UPDATE_SERVICE = `#!/bin/sh
# storm: install SERVICE's new release, only when a release pointer signed by
# the city's release key names it and the artifact has the sha256 it names.
# Anything else — no pointer, another key, another city, tampered bytes —
# keeps the running release and says why (stderr, so the journal, and
# /opt/storm/SERVICE/update-status).
set -eu
svc="$1"
conf="\${STORM_CONFIG_ROOT:-/etc/storm}/$svc"
lib="\${STORM_LIB:-/usr/local/lib/storm}"
# Sets STORM_ARTIFACT_URL, STORM_RELEASE_CITY and STORM_RELEASE_ENV (single-quoted by storm).
. "$conf/release.env"
url="$STORM_ARTIFACT_URL"
root="\${STORM_SERVICES_ROOT:-/opt/storm}/$svc"
mkdir -p "$root/releases"
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
status() {
  printf '%s %s\\n' "$(date -u +%Y-%m-%dT%H:%M:%SZ)" "$1" >"$root/update-status.new"
  mv "$root/update-status.new" "$root/update-status"
}
refuse() {
  status "refused: $1; keeping the running release"
  echo "storm: $1; keeping the running release" >&2
  exit 1
}
pointer_url="\${url%.tar.gz}.release.json"
touch "$root/pointer-etag"
code="$(curl -sS --globoff --retry 3 --retry-delay 2 --connect-timeout 10 --max-filesize 65536 --etag-compare "$root/pointer-etag" --etag-save "$tmp/pointer-etag" -o "$tmp/release.json" -w '%{http_code}' "$pointer_url" || true)"
case "$code" in
  200) ;;
  304) exit 0 ;;
  404) refuse "no release pointer at $pointer_url (nothing is installed without a signed one)" ;;
  *) refuse "fetching $pointer_url answered HTTP $code" ;;
esac
want="$(node "$lib/verify-release" "$conf/release-key.pem" "$tmp/release.json" "$svc" "$STORM_RELEASE_CITY" "$STORM_RELEASE_ENV" 2>"$tmp/why")" ||
  refuse "the release pointer at $pointer_url was refused: $(cat "$tmp/why")"
release="$root/releases/$(printf '%s' "$want" | cut -c1-16)"
if [ ! -f "$release/.storm-sha256" ] || [ "$(cat "$release/.storm-sha256")" != "$want" ]; then
  code="$(curl -sS --globoff --retry 3 --retry-delay 2 --connect-timeout 10 --max-filesize 1073741824 -o "$tmp/artifact.tar.gz" -w '%{http_code}' "$url" || true)"
  [ "$code" = 200 ] || refuse "fetching $url answered HTTP $code"
  got="$(sha256sum "$tmp/artifact.tar.gz" | cut -d' ' -f1)"
  [ "$got" = "$want" ] || refuse "$url has sha256 $got, the signed release pointer says $want"
  rm -rf "$release" "$release.partial"
  mkdir -p "$release.partial"
  tar -xzf "$tmp/artifact.tar.gz" -C "$release.partial" --no-same-owner
  printf '%s' "$want" >"$release.partial/.storm-sha256"
  mv "$release.partial" "$release"
fi
cp "$tmp/pointer-etag" "$root/pointer-etag"
status "running the release with sha256 $want"
if [ "$(readlink "$root/current" 2>/dev/null || true)" = "$release" ]; then exit 0; fi
ln -sfn "$release" "$root/current.new"
mv -T "$root/current.new" "$root/current"
# Keep the three newest releases for a quick manual rollback.
ls -1dt "$root"/releases/*/ | tail -n +4 | xargs -r rm -rf
if systemctl is-enabled --quiet "storm-$svc.service"; then systemctl restart "storm-$svc.service"; fi
`;

/**
 * The updater's signature check (Node, which every instance has for its
 * service): the same rules as verifyReleasePointer in release.ts. Prints the
 * sha256 the signed pointer names; exits 1 saying why otherwise. Written for
 * old Node (no optional chaining) since distributions ship old versions.
 */
const VERIFY_RELEASE = `'use strict';
// storm: verify-release KEY.pem POINTER.json SERVICE CITY ENV
const crypto = require('crypto');
const fs = require('fs');
const [keyFile, pointerFile, service, city, env] = process.argv.slice(2);
function fail(why) {
  process.stderr.write(why + '\\n');
  process.exit(1);
}
let e;
try {
  e = JSON.parse(fs.readFileSync(pointerFile, 'utf8'));
} catch (err) {
  fail('the release pointer is not JSON');
}
if (!e || e.apiVersion !== 'storm/v1' || e.kind !== 'SignedRelease' || typeof e.payload !== 'string' || typeof e.signature !== 'string')
  fail('the release pointer is not signed (a storm/v1 SignedRelease was expected)');
const payload = Buffer.from(e.payload, 'base64');
let good = false;
try {
  good = crypto.verify(null, payload, crypto.createPublicKey(fs.readFileSync(keyFile, 'utf8')), Buffer.from(e.signature, 'base64'));
} catch (err) {
  good = false;
}
if (!good) fail("its signature does not verify with this instance's release key");
let r;
try {
  r = JSON.parse(payload.toString('utf8'));
} catch (err) {
  fail('the signed release pointer is malformed');
}
if (!r || r.apiVersion !== 'storm/v1' || r.kind !== 'Release' || typeof r.sha256 !== 'string' || !/^[0-9a-f]{64}$/.test(r.sha256))
  fail('the signed release pointer is malformed');
if (r.city !== city || r.environment !== env || r.service !== service)
  fail('it is for ' + r.city + '/' + r.environment + '/' + r.service + ', not ' + city + '/' + env + '/' + service);
process.stdout.write(r.sha256 + '\\n');
`;

/** A value as one single-quoted shell word: nothing in it is expanded. */
export function shQuote(value: string): string {
  return `'${value.replace(/'/g, `'\\''`)}'`;
}

/** systemd expands %-specifiers in most settings; `%%` is a literal `%`. */
function systemdSpecifiers(value: string): string {
  return value.replace(/%/g, '%%');
}

/** One argument of an Exec*= command line: double-quoted, with \, ", % and $ escaped. */
export function systemdArg(value: string): string {
  return `"${systemdSpecifiers(value.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n')).replace(/\$/g, '$$$$')}"`;
}

/** One Environment= assignment, quoted as a single word. */
export function systemdEnvironment(name: string, value: string): string {
  return `Environment=${systemdSpecifiers(`"${name}=${value.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n')}"`)}`;
}

/** Free text (Description=): one line, specifiers escaped. */
function systemdText(value: string): string {
  // eslint-disable-next-line no-control-regex -- control characters are what must go
  return systemdSpecifiers(value.replace(/[\u0000-\u001f\u007f]+/g, ' '));
}

/**
 * A path systemd takes without quoting (WorkingDirectory=, ConditionPathExists=):
 * storm only builds such paths from checked names, and refuses anything else.
 */
function plainPath(what: string, value: string): string {
  if (!/^\/[A-Za-z0-9._/-]*$/.test(value) || value.split('/').includes('..'))
    throw new StormError('deploy', `${what} ${JSON.stringify(value)} is not a plain absolute path`, {
      hint: 'use letters, digits, ".", "_", "-" and "/" only, without ".." segments',
    });
  return value;
}

/** Service names become paths and unit names on the instance. */
const SERVICE_NAME = /^[a-z][a-z0-9-]{0,62}$/;

function serviceUnit(input: CloudInitInput, tier: TemplateTier, dataDir: string): string {
  const svc = input.service.name;
  const p = servicePaths(svc);
  const prepare = tier.volumes.map(
    (v, i) =>
      `ExecStartPre=+${LIB}/prepare-data ${systemdArg(deviceFor(input, v.name, i))} ${systemdArg(plainPath('volume mount path', v.mountPath))} storm`,
  );
  const entry = plainPath('entry script', `${p.root}/current/${input.template.runtime.entry}`);
  return [
    '[Unit]',
    `Description=${systemdText(`storm service ${svc} (${input.template.name}) for ${input.city.name} ${input.environment}`)}`,
    'After=network-online.target',
    'Wants=network-online.target',
    `ConditionPathExists=${entry}`,
    'StartLimitIntervalSec=0',
    '',
    '[Service]',
    'Type=simple',
    'User=storm',
    'Group=storm',
    systemdEnvironment('PORT', String(tier.servicePort)),
    systemdEnvironment('HOST', '0.0.0.0'),
    systemdEnvironment('STORM_DATA_DIR', dataDir),
    systemdEnvironment('STORM_SERVICE_CONFIG', p.configFile),
    systemdEnvironment('NODE_ENV', 'production'),
    ...prepare,
    `WorkingDirectory=${plainPath('release directory', `${p.root}/current`)}`,
    `ExecStart=/usr/bin/node ${systemdArg(entry)}`,
    'Restart=always',
    'RestartSec=3',
    'NoNewPrivileges=true',
    'ProtectSystem=strict',
    'ProtectHome=true',
    'PrivateTmp=true',
    `ReadWritePaths=${[dataDir, ...tier.volumes.map((v) => v.mountPath)]
      .filter((v, i, a) => a.indexOf(v) === i)
      .map((v) => systemdArg(plainPath('data directory', v)))
      .join(' ')}`,
    '',
    '[Install]',
    'WantedBy=multi-user.target',
    '',
  ].join('\n');
}

function deviceFor(input: CloudInitInput, volume: string, index: number): string {
  return plainPath(
    'volume device',
    input.volumeDevices?.[volume] ?? `/dev/vd${String.fromCharCode('b'.charCodeAt(0) + index)}`,
  );
}

/** Renders the instance's user data; the same input always gives the same bytes. */
export function renderCloudInit(input: CloudInitInput): string {
  const svc = input.service.name;
  if (!SERVICE_NAME.test(svc))
    throw new StormError('deploy', `service name ${JSON.stringify(svc)} cannot name files and units on an instance`, {
      hint: 'service names are lowercase letters, digits and "-", starting with a letter',
    });
  const tier = tierOf(input.template, input.tier);
  const p = servicePaths(svc);
  const dataDir = dataDirOf(input.template, input.tier, svc);
  const config = serviceRuntimeConfig(input);
  const hint: SandboxServiceHint = {
    apiVersion: 'storm/v1',
    kind: 'ServiceInstance',
    service: svc,
    template: input.template.name,
    instance: input.instance.name,
    artifactUrl: input.artifactUrl,
    entry: input.template.runtime.entry,
    releaseKey: input.releaseKey,
    port: tier.servicePort,
    healthCheck: tier.healthCheck,
    dataDir,
    configFile: p.configFile,
    config,
  };
  const doc: Record<string, unknown> = {
    ...(input.instance.hostname === undefined ? {} : { hostname: input.instance.hostname, manage_etc_hosts: true }),
    users: [
      'default',
      { name: 'storm', system: true, shell: '/usr/sbin/nologin', homedir: '/var/lib/storm', no_create_home: true },
    ],
    package_update: true,
    packages: ['nodejs', 'curl', 'ca-certificates', 'e2fsprogs'],
    write_files: [
      { path: p.configFile, owner: 'root:root', permissions: '0644', content: `${JSON.stringify(config, null, 2)}\n` },
      {
        path: SANDBOX_HINT_PATH,
        owner: 'root:root',
        permissions: '0644',
        content: `${JSON.stringify(hint, null, 2)}\n`,
      },
      { path: `${LIB}/prepare-data`, owner: 'root:root', permissions: '0755', content: PREPARE_DATA },
      { path: `${LIB}/update-service`, owner: 'root:root', permissions: '0755', content: UPDATE_SERVICE },
      { path: `${LIB}/verify-release`, owner: 'root:root', permissions: '0644', content: VERIFY_RELEASE },
      {
        path: `${p.configDir}/release.env`,
        owner: 'root:root',
        permissions: '0644',
        content: [
          '# storm: read by update-service (sh); every value is single-quoted',
          `STORM_ARTIFACT_URL=${shQuote(input.artifactUrl)}`,
          `STORM_RELEASE_CITY=${shQuote(input.city.name)}`,
          `STORM_RELEASE_ENV=${shQuote(input.environment)}`,
          '',
        ].join('\n'),
      },
      { path: `${p.configDir}/release-key.pem`, owner: 'root:root', permissions: '0644', content: input.releaseKey },
      {
        path: `/etc/systemd/system/${p.unit}.service`,
        owner: 'root:root',
        permissions: '0644',
        content: serviceUnit(input, tier, dataDir),
      },
      {
        path: `/etc/systemd/system/${p.updateUnit}.service`,
        owner: 'root:root',
        permissions: '0644',
        content: [
          '[Unit]',
          `Description=${systemdText(`storm: fetch a new release of ${svc}`)}`,
          'After=network-online.target',
          'Wants=network-online.target',
          '',
          '[Service]',
          'Type=oneshot',
          `ExecStart=${LIB}/update-service ${systemdArg(svc)}`,
          '',
        ].join('\n'),
      },
      {
        path: `/etc/systemd/system/${p.updateUnit}.timer`,
        owner: 'root:root',
        permissions: '0644',
        content: [
          '[Unit]',
          `Description=${systemdText(`storm: look for a new release of ${svc} every 30 seconds`)}`,
          '',
          '[Timer]',
          'OnBootSec=15s',
          'OnUnitActiveSec=30s',
          'AccuracySec=5s',
          '',
          '[Install]',
          'WantedBy=timers.target',
          '',
        ].join('\n'),
      },
    ],
    runcmd: [
      ['systemctl', 'daemon-reload'],
      ['systemctl', 'enable', `${p.unit}.service`],
      // Values reach sh as positional parameters, never as script text.
      [
        'sh',
        '-c',
        '"$0" "$1" || echo "storm: no release installed yet; the timer retries"',
        `${LIB}/update-service`,
        svc,
      ],
      ['systemctl', 'start', `${p.unit}.service`],
      ['systemctl', 'enable', '--now', `${p.updateUnit}.timer`],
    ],
    final_message: `storm: ${svc} instance ${input.instance.name} ready after $UPTIME seconds`,
  };
  const yamlText = new Document(doc).toString({ lineWidth: 0 });
  return `#cloud-config\n${yamlText}`;
}

/** The sandbox's reading of user data: the service hint, when the instance carries a storm service. */
export function readSandboxHint(userData: string): SandboxServiceHint | undefined {
  if (!userData.startsWith('#cloud-config')) return undefined;
  const doc = parse(userData) as { write_files?: { path?: unknown; content?: unknown }[] } | null;
  const entry = doc?.write_files?.find((f) => f.path === SANDBOX_HINT_PATH);
  if (entry === undefined || typeof entry.content !== 'string') return undefined;
  return JSON.parse(entry.content) as SandboxServiceHint;
}
