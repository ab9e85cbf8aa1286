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
  city: { name: string; displayName: string };
  environment: string;
  languages: string[];
  parameters: Record<string, unknown>;
  /** Public URL of each object container the service uses, by container name. */
  objectStorage: { containers: Record<string, string> };
  /* No adminTokenFile: the service keeps its token in $STORM_DATA_DIR/admin-token, so the same config works on a VM and in the sandbox. */
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
  city: { name: string; displayName: string; languages: string[] };
  environment: string;
  /** The manifest's service: its name (defaults to the template name) and resolved parameters. */
  service: { name: string; parameters: Record<string, unknown> };
  template: TemplateDefinition;
  /** Which of the template's tiers this instance runs. */
  tier: string;
  instance: { name: string; hostname?: string };
  /** Stable URL of the service artifact (a .tar.gz) in object storage. */
  artifactUrl: string;
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
    city: { name: input.city.name, displayName: input.city.displayName },
    environment: input.environment,
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
# storm: fetch SERVICE's artifact from URL when it changed (ETag), install it
# as a new release under /opt/storm/SERVICE/releases and restart the service.
set -eu
svc="$1"; url="$2"
root="\${STORM_SERVICES_ROOT:-/opt/storm}/$svc"
mkdir -p "$root/releases"
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
touch "$root/etag"
code="$(curl -sS --retry 3 --retry-delay 2 --connect-timeout 10 --etag-compare "$root/etag" --etag-save "$tmp/etag" -o "$tmp/artifact.tar.gz" -w '%{http_code}' "$url" || true)"
case "$code" in
  200) ;;
  304) exit 0 ;;
  *) echo "storm: fetching $url answered HTTP $code" >&2; exit 1 ;;
esac
# storm deploy writes the release pointer beside the artifact last; when it
# names a sha256, the artifact must match it (else: mid-deploy, retry later).
want="$(curl -sS --retry 3 --connect-timeout 10 -f "\${url%.tar.gz}.release.json" 2>/dev/null | sed -n 's/.*"sha256": *"\\([0-9a-f]\\{64\\}\\)".*/\\1/p' | head -n 1 || true)"
got="$(sha256sum "$tmp/artifact.tar.gz" | cut -d' ' -f1)"
if [ -n "$want" ] && [ "$want" != "$got" ]; then echo "storm: $url has sha256 $got, its release pointer says $want; not installing it yet" >&2; exit 1; fi
sum="$(sha256sum "$tmp/artifact.tar.gz" | cut -c1-16)"
release="$root/releases/$sum"
if [ ! -d "$release" ]; then
  mkdir -p "$release.partial"
  tar -xzf "$tmp/artifact.tar.gz" -C "$release.partial" --no-same-owner
  mv "$release.partial" "$release"
fi
cp "$tmp/etag" "$root/etag"
if [ "$(readlink "$root/current" 2>/dev/null || true)" = "$release" ]; then exit 0; fi
ln -sfn "$release" "$root/current.new"
mv -T "$root/current.new" "$root/current"
# Keep the three newest releases for a quick manual rollback.
ls -1dt "$root"/releases/*/ | tail -n +4 | xargs -r rm -rf
if systemctl is-enabled --quiet "storm-$svc.service"; then systemctl restart "storm-$svc.service"; fi
`;

function serviceUnit(input: CloudInitInput, tier: TemplateTier, dataDir: string): string {
  const svc = input.service.name;
  const p = servicePaths(svc);
  const prepare = tier.volumes.map(
    (v, i) => `ExecStartPre=+${LIB}/prepare-data ${deviceFor(input, v.name, i)} ${v.mountPath} storm`,
  );
  return [
    '[Unit]',
    `Description=storm service ${svc} (${input.template.name}) for ${input.city.name} ${input.environment}`,
    'After=network-online.target',
    'Wants=network-online.target',
    `ConditionPathExists=${p.root}/current/${input.template.runtime.entry}`,
    'StartLimitIntervalSec=0',
    '',
    '[Service]',
    'Type=simple',
    'User=storm',
    'Group=storm',
    `Environment=PORT=${tier.servicePort}`,
    'Environment=HOST=0.0.0.0',
    `Environment=STORM_DATA_DIR=${dataDir}`,
    `Environment=STORM_SERVICE_CONFIG=${p.configFile}`,
    'Environment=NODE_ENV=production',
    ...prepare,
    `WorkingDirectory=${p.root}/current`,
    `ExecStart=/usr/bin/node ${p.root}/current/${input.template.runtime.entry}`,
    'Restart=always',
    'RestartSec=3',
    'NoNewPrivileges=true',
    'ProtectSystem=strict',
    'ProtectHome=true',
    'PrivateTmp=true',
    `ReadWritePaths=${[dataDir, ...tier.volumes.map((v) => v.mountPath)].filter((v, i, a) => a.indexOf(v) === i).join(' ')}`,
    '',
    '[Install]',
    'WantedBy=multi-user.target',
    '',
  ].join('\n');
}

function deviceFor(input: CloudInitInput, volume: string, index: number): string {
  return input.volumeDevices?.[volume] ?? `/dev/vd${String.fromCharCode('b'.charCodeAt(0) + index)}`;
}

/** Renders the instance's user data; the same input always gives the same bytes. */
export function renderCloudInit(input: CloudInitInput): string {
  const svc = input.service.name;
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
          `Description=storm: fetch a new release of ${svc}`,
          'After=network-online.target',
          'Wants=network-online.target',
          '',
          '[Service]',
          'Type=oneshot',
          `ExecStart=${LIB}/update-service ${svc} ${input.artifactUrl}`,
          '',
        ].join('\n'),
      },
      {
        path: `/etc/systemd/system/${p.updateUnit}.timer`,
        owner: 'root:root',
        permissions: '0644',
        content: [
          '[Unit]',
          `Description=storm: look for a new release of ${svc} every 30 seconds`,
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
      [
        'sh',
        '-c',
        `${LIB}/update-service ${svc} ${input.artifactUrl} || echo "storm: artifact not available yet; the timer retries"`,
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
