import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import {
  type CloudInitInput,
  KNOWN_CLOUD_CONFIG_KEYS,
  SANDBOX_HINT_PATH,
  readSandboxHint,
  renderCloudInit,
} from '../../src/deploy/cloud-init';
import { loadTemplate, resolveServiceParameters } from '../../src/manifest/templates';
import { testReleaseKey } from '../support/release-key';

const root = path.join(__dirname, '..', '..');
const releaseKey = testReleaseKey().publicKeyPem;

function inputFor(name: string, city: string, languages: string[]): CloudInitInput {
  const template = loadTemplate(root, name);
  return {
    city: { name: city, displayName: `Ciudad de ${city}`, languages },
    environment: 'preprod',
    service: { name, parameters: resolveServiceParameters(template, {}) },
    template: template.definition,
    tier: 'web',
    instance: { name: `${city}-preprod-web-0`, hostname: `${city}-web-0` },
    artifactUrl: `http://127.0.0.1:8999/v1/AUTH_x/storm-releases-${city}-preprod/${name}.tar.gz`,
    releaseKey,
    containerUrls: Object.fromEntries(
      template.definition.needs.containers.map((c) => [c.name, `http://127.0.0.1:8999/v1/AUTH_x/${c.name}`]),
    ),
  };
}

type WriteFile = { path: string; content: string; permissions: string };

describe.each([
  ['urbanismo-en-red', 'valladolid', ['es', 'en']],
  ['virtual-city-marketplace', 'thessaloniki', ['el', 'en']],
  ['participa', 'agueda', ['pt', 'en']],
])('cloud-init for %s', (name, city, languages) => {
  const input = inputFor(name, city, languages);
  const text = renderCloudInit(input);
  const doc = parse(text) as Record<string, unknown>;
  const files = doc.write_files as WriteFile[];
  const file = (p: string): WriteFile => {
    const f = files.find((x) => x.path === p);
    if (f === undefined) throw new Error(`no ${p} in write_files`);
    return f;
  };

  it('is a #cloud-config YAML document with only known top-level keys', () => {
    expect(text.split('\n')[0]).toBe('#cloud-config');
    expect(typeof doc).toBe('object');
    for (const key of Object.keys(doc)) expect(KNOWN_CLOUD_CONFIG_KEYS as readonly string[]).toContain(key);
  });

  it('is deterministic and does not change when only the template version does', () => {
    expect(renderCloudInit(input)).toBe(text);
    const bumped = { ...input, template: { ...input.template, version: '9.9.9' } };
    expect(renderCloudInit(bumped)).toBe(text);
  });

  it('installs Node and runs the service under systemd from the artifact', () => {
    expect(doc.packages).toContain('nodejs');
    const unit = file(`/etc/systemd/system/storm-${name}.service`).content;
    expect(unit).toContain(`ExecStart=/usr/bin/node "/opt/storm/${name}/current/${input.template.runtime.entry}"`);
    expect(unit).toContain(`Environment="STORM_DATA_DIR=/var/lib/storm/${name}"`);
    expect(unit).toContain(`ExecStartPre=+/usr/local/lib/storm/prepare-data "/dev/vdb" "/var/lib/storm/${name}" storm`);
    expect(unit).toContain('User=storm');
    expect(file(`/etc/systemd/system/storm-${name}-update.service`).content).toContain(
      `ExecStart=/usr/local/lib/storm/update-service "${name}"`,
    );
    expect(file(`/etc/storm/${name}/release.env`).content).toContain(`STORM_ARTIFACT_URL='${input.artifactUrl}'`);
    expect(file(`/etc/storm/${name}/release-key.pem`).content).toBe(releaseKey);
    expect(JSON.stringify(doc.runcmd)).toContain(`storm-${name}-update.timer`);
  });

  it('writes the service config the application reads', () => {
    const config = JSON.parse(file(`/etc/storm/${name}/config.json`).content) as Record<string, unknown>;
    expect(config).toMatchObject({
      service: name,
      template: name,
      city: { name: city },
      environment: 'preprod',
      languages,
    });
    // The token file is found from STORM_DATA_DIR, so the config is portable to the sandbox.
    expect(config.adminTokenFile).toBeUndefined();
    expect(Object.keys((config.objectStorage as { containers: object }).containers)).toEqual(
      input.template.needs.containers.map((c) => c.name),
    );
  });

  it('carries the sandbox hint', () => {
    const hint = readSandboxHint(text);
    expect(hint).toMatchObject({
      kind: 'ServiceInstance',
      service: name,
      artifactUrl: input.artifactUrl,
      port: 8080,
      healthCheck: '/healthz',
      entry: input.template.runtime.entry,
      releaseKey,
    });
    expect(file(SANDBOX_HINT_PATH).permissions).toBe('0644');
  });

  it('fits in Nova user_data (65535 bytes of base64)', () => {
    expect(Buffer.from(text).toString('base64').length).toBeLessThan(65535);
  });

  it('inlines no secret', () => {
    expect(text).not.toMatch(/token"?\s*[:=]\s*"?[0-9a-f]{16,}/i);
    expect(text).not.toMatch(/password|BEGIN [A-Z ]*PRIVATE KEY/i);
  });

  it("passes cloud-init's own schema validation (Debian cloud-init: apt-get install cloud-init)", () => {
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'storm-ci-')), 'user-data.yaml');
    fs.writeFileSync(file, text);
    const out = execFileSync('cloud-init', ['schema', '--config-file', file], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    expect(out).toContain('Valid cloud-config');
  });

  it('ships shell scripts that sh parses', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'storm-ci-'));
    for (const f of files.filter((x) => x.content.startsWith('#!/bin/sh'))) {
      const out = path.join(dir, path.basename(f.path));
      fs.writeFileSync(out, f.content);
      execFileSync('sh', ['-n', out]);
    }
  });
});

describe('readSandboxHint', () => {
  it('ignores user data that is not storm cloud-config', () => {
    expect(readSandboxHint('#!/bin/sh\necho hi\n')).toBeUndefined();
    expect(readSandboxHint('#cloud-config\npackages: [curl]\n')).toBeUndefined();
  });
});
