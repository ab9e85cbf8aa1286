import { describe, expect, it } from 'vitest';
import { atLeast, parseEngineVersionJson, parseGoVersion, parseSemVer } from '../../src/engine/versions';

describe('engine and go version parsing', () => {
  it('reads tofu version -json', () => {
    expect(
      parseEngineVersionJson('{"terraform_version":"1.12.6","platform":"linux_amd64","provider_selections":{}}'),
    ).toBe('1.12.6');
    expect(parseEngineVersionJson('{"terraform_version":"1.12.6-dev"}')).toBe('1.12.6-dev');
    expect(parseEngineVersionJson('OpenTofu v1.12.6')).toBeUndefined();
    expect(parseEngineVersionJson('{"version":"1.2.3"}')).toBeUndefined();
  });

  it('reads go version', () => {
    expect(parseGoVersion('go version go1.26.8 linux/amd64\n')).toBe('1.26.8');
    expect(parseGoVersion('go version go1.24 linux/arm64')).toBe('1.24.0');
    expect(parseGoVersion('go version go1.25rc1 linux/amd64')).toBe('1.25.0-rc1');
    expect(parseGoVersion('bash: go: command not found')).toBeUndefined();
  });

  it('compares against minimums', () => {
    expect(atLeast('1.12.6', '1.8.0')).toBe(true);
    expect(atLeast('1.8.0', '1.8.0')).toBe(true);
    expect(atLeast('1.7.9', '1.8.0')).toBe(false);
    expect(atLeast('1.10.0', '1.8.0')).toBe(true);
    expect(atLeast('1.8.0-beta1', '1.8.0')).toBe(true);
    expect(atLeast('garbage', '1.8.0')).toBe(false);
    expect(parseSemVer('v1.2')).toEqual({ major: 1, minor: 2, patch: 0, prerelease: '' });
  });
});
