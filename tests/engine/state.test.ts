import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { backendSetup, httpStateUrl, localStateFile, s3StateKey, type StateBackend } from '../../src/engine/state';
import { workspaceFor } from '../../src/engine/workspace';
import { StormError } from '../../src/errors';

const root = '/project';
const setup = (env: string, state: StateBackend, processEnv: NodeJS.ProcessEnv = {}) =>
  backendSetup(workspaceFor(root, 'valladolid', env), state, processEnv);
const backendOf = (json: string): Record<string, Record<string, unknown>> =>
  (JSON.parse(json) as { terraform: { backend: Record<string, Record<string, unknown>> } }).terraform.backend;

describe('state keyed by city and environment', () => {
  it('local: path is a folder holding <city>/<env>/terraform.tfstate', () => {
    expect(localStateFile(root, undefined, 'valladolid', 'preprod')).toBe(
      '/project/.storm/state/valladolid/preprod/terraform.tfstate',
    );
    const pre = setup('preprod', { backend: 'local', path: 'shared' });
    const prod = setup('production', { backend: 'local', path: 'shared' });
    expect(backendOf(pre.overrideJson).local?.path).toBe('../../../../shared/valladolid/preprod/terraform.tfstate');
    expect(backendOf(prod.overrideJson).local?.path).toBe('../../../../shared/valladolid/production/terraform.tfstate');
  });

  it('local: a state.path that is a file (the old meaning) is refused, not shadowed by a new empty state', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'storm-state-'));
    try {
      fs.writeFileSync(path.join(dir, 'old.tfstate'), '{}');
      expect(() =>
        backendSetup(workspaceFor(dir, 'valladolid', 'preprod'), { backend: 'local', path: 'old.tfstate' }, {}),
      ).toThrow(/is a file, but it names a folder/);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('pg: storm_<city>_<env> unless a schema is named', () => {
    const env = { PG: 'postgres://u:pw-state-1@db/x' };
    expect(setup('preprod', { backend: 'pg', connectionStringEnv: 'PG' }, env).pg?.schema).toBe(
      'storm_valladolid_preprod',
    );
    expect(setup('production', { backend: 'pg', connectionStringEnv: 'PG' }, env).pg?.schema).toBe(
      'storm_valladolid_production',
    );
  });

  it('s3: key is a prefix; credentials come from AWS_* only', () => {
    expect(s3StateKey(undefined, 'valladolid', 'preprod')).toBe('storm/valladolid/preprod/terraform.tfstate');
    expect(s3StateKey('/cities/', 'valladolid', 'production')).toBe('cities/valladolid/production/terraform.tfstate');
    const s = setup(
      'production',
      { backend: 's3', config: { bucket: 'b', key: 'cities', region: 'r' } },
      { AWS_ACCESS_KEY_ID: 'id', AWS_SECRET_ACCESS_KEY: 'sk-canary-1', HOME: '/root', TF_HTTP_PASSWORD: 'x' },
    );
    expect(backendOf(s.overrideJson).s3).toEqual({
      bucket: 'b',
      key: 'cities/valladolid/production/terraform.tfstate',
      region: 'r',
    });
    expect(s.env).toEqual({ AWS_ACCESS_KEY_ID: 'id', AWS_SECRET_ACCESS_KEY: 'sk-canary-1' });
    expect(s.overrideJson).not.toContain('sk-canary-1');
  });

  it('http: addresses are bases; credentials come from TF_HTTP_* only', () => {
    expect(httpStateUrl('https://state.example/storm/?x=1', 'valladolid', 'preprod')).toBe(
      'https://state.example/storm/valladolid/preprod?x=1',
    );
    const s = setup(
      'preprod',
      { backend: 'http', config: { address: 'https://s.example/st', lock_address: 'https://s.example/lock' } },
      { TF_HTTP_USERNAME: 'ci', TF_HTTP_PASSWORD: 'pw-http-1', AWS_SECRET_ACCESS_KEY: 'x' },
    );
    expect(backendOf(s.overrideJson).http).toEqual({
      address: 'https://s.example/st/valladolid/preprod',
      lock_address: 'https://s.example/lock/valladolid/preprod',
    });
    expect(s.env).toEqual({ TF_HTTP_USERNAME: 'ci', TF_HTTP_PASSWORD: 'pw-http-1' });
  });

  it('s3/http: a credential written in the settings is refused', () => {
    for (const state of [
      { backend: 's3', config: { bucket: 'b', secret_key: 'x' } },
      { backend: 'http', config: { address: 'https://s.example', password: 'x' } },
    ] as StateBackend[]) {
      expect(() => setup('preprod', state)).toThrow(StormError);
    }
  });
});
