import { describe, expect, it } from 'vitest';
import { type DeployResult, escapeTerraformTemplate } from '../../src/deploy/deploy';
import { parseReleasePointer, releasePointerName, releasePointerUrl } from '../../src/deploy/release';
import { renderDeployResult } from '../../src/report/deploy';

describe('release pointer', () => {
  it('sits beside the artifact', () => {
    expect(releasePointerName('urbanismo-en-red')).toBe('urbanismo-en-red.release.json');
    expect(
      releasePointerUrl(
        'http://127.0.0.1:8800/object-store/v1/AUTH_p/storm-releases-valladolid-preprod/urbanismo-en-red.tar.gz',
      ),
    ).toBe(
      'http://127.0.0.1:8800/object-store/v1/AUTH_p/storm-releases-valladolid-preprod/urbanismo-en-red.release.json',
    );
    expect(releasePointerUrl('http://example.org/artifact.zip')).toBeUndefined();
  });

  it('parses what the deploy step writes and refuses anything else', () => {
    const pointer = {
      apiVersion: 'storm/v1',
      kind: 'Release',
      city: 'c',
      environment: 'e',
      service: 's',
      template: 't',
      version: '1.0.0',
      artifact: 'storm-releases-c-e/s.tar.gz',
      sha256: 'a'.repeat(64),
      bytes: 10,
      configSha256: 'b'.repeat(64),
    };
    expect(parseReleasePointer(JSON.stringify(pointer))).toEqual(pointer);
    expect(parseReleasePointer(JSON.stringify({ ...pointer, kind: 'Other' }))).toBeUndefined();
    expect(parseReleasePointer(JSON.stringify({ ...pointer, sha256: 3 }))).toBeUndefined();
    expect(parseReleasePointer(JSON.stringify({ ...pointer, sha256: 'a'.repeat(63) }))).toBeUndefined();
    expect(parseReleasePointer('<html>')).toBeUndefined();
  });
});

describe('user data in Terraform JSON', () => {
  it('escapes template sequences so shell and YAML reach the instance literally', () => {
    expect(escapeTerraformTemplate('root="${STORM_SERVICES_ROOT:-/opt/storm}" -w \'%{http_code}\' $HOME')).toBe(
      'root="$${STORM_SERVICES_ROOT:-/opt/storm}" -w \'%%{http_code}\' $HOME',
    );
    expect(escapeTerraformTemplate('no templates here $ % {')).toBe('no templates here $ % {');
  });
});

describe('deploy report', () => {
  const result: DeployResult = {
    status: 'deployed',
    city: 'valladolid',
    env: 'preprod',
    message: 'deployed urbanismo-en-red 1.1.0 (was 1.0.0)',
    services: [
      {
        name: 'urbanismo-en-red',
        template: 'urbanismo-en-red',
        version: '1.1.0',
        sha256: '0123456789abcdef'.repeat(4),
        action: 'published',
        previousVersion: '1.0.0',
        url: 'http://127.42.0.10:8080',
        urls: ['http://127.42.0.10:8080'],
        healthy: true,
        instances: [{ instance: 'web-1', url: 'http://127.42.0.10:8080', status: 'healthy', version: '1.1.0' }],
        seedObjects: { uploaded: 0, unchanged: 4 },
      },
    ],
  };

  it('names the release, each instance and the URLs', () => {
    expect(renderDeployResult(result, { color: false })).toBe(
      [
        'valladolid/preprod: deployed urbanismo-en-red 1.1.0 (was 1.0.0)',
        '  urbanismo-en-red urbanismo-en-red 1.1.0 0123456789ab published (was 1.0.0)',
        '    ✓ web-1 http://127.42.0.10:8080 healthy (1.1.0)',
        '',
        'service URLs',
        '  urbanismo-en-red: http://127.42.0.10:8080',
        '',
      ].join('\n'),
    );
  });
});
