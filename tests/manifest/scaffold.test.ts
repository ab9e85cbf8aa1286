import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { StormError } from '../../src/errors';
import { parseCidr, cidrsOverlap } from '../../src/manifest/ip-address';
import { loadCity } from '../../src/manifest/load';
import { freeNetwork, scaffoldCity } from '../../src/manifest/scaffold';

const root = path.join(__dirname, '..', '..');
let project: string;

beforeEach(() => {
  project = fs.mkdtempSync(path.join(os.tmpdir(), 'storm-init-'));
  fs.cpSync(path.join(root, 'stacks'), path.join(project, 'stacks'), { recursive: true });
  fs.symlinkSync(path.join(root, 'templates'), path.join(project, 'templates'));
});
afterEach(() => fs.rmSync(project, { recursive: true, force: true }));

const cidr = (text: string) => parseCidr(text)!;

describe('freeNetwork', () => {
  it('takes the first private block of that size no city uses', () => {
    expect(freeNetwork(16, [])?.first).toBe(cidr('10.0.0.0/16').first);
    const next = freeNetwork(16, [cidr('10.0.0.0/16'), cidr('10.1.0.0/20')]);
    expect(next?.first).toBe(cidr('10.2.0.0/16').first);
  });
});

describe('scaffoldCity', () => {
  it('starts miskolc from valladolid: valid at once, own network, services kept, city-specific parts cleared', () => {
    const result = scaffoldCity({ cwd: project, name: 'miskolc', from: 'valladolid', country: 'HU' });
    expect(result).toMatchObject({
      city: 'miskolc',
      from: 'valladolid',
      file: 'stacks/miskolc.yaml',
      network: { from: '10.10.0.0/16', to: '10.0.0.0/16' },
    });
    expect(result.fillIn).toEqual([
      'city.displayName',
      'city.languages',
      'city.owner',
      'city.contacts',
      'tags',
      'security.adminCidrs',
      'compute.keypairs',
      'partners',
    ]);

    const m = loadCity('miskolc', { cwd: project });
    const original = loadCity('valladolid', { cwd: project }).doc;
    expect(m.doc.city).toMatchObject({ name: 'miskolc', displayName: 'Miskolc', country: 'HU' });
    expect(m.doc.city.contacts).toBeUndefined();
    expect(m.doc.partners).toBeUndefined();
    expect(m.doc.compute?.keypairs).toBeUndefined();
    expect(m.doc.security?.adminCidrs).toEqual(['192.0.2.0/24']);
    expect(m.doc.services).toEqual(original.services);
    // Waivers are the original city's decisions: the new city starts without them.
    const withoutWaivers = (envs: typeof original.environments) =>
      JSON.parse(JSON.stringify(envs ?? {}, (k, v: unknown) => (k === 'waivers' ? undefined : v))) as unknown;
    expect(JSON.stringify(m.doc.environments)).not.toContain('"waivers"');
    expect(withoutWaivers(m.doc.environments)).toEqual(withoutWaivers(original.environments));
    expect(m.doc.network.subnets.map((s) => [s.cidr, s.allocationPools])).toEqual([
      ['10.0.1.0/24', [{ start: '10.0.1.10', end: '10.0.1.200' }]],
      ['10.0.2.0/24', undefined],
    ]);
    for (const other of ['agueda', 'thessaloniki', 'valladolid']) {
      expect(cidrsOverlap(cidr(loadCity(other, { cwd: project }).doc.network.cidr), cidr(m.doc.network.cidr))).toBe(
        false,
      );
    }
    const lines = m.text.split('\n');
    expect(lines[0]).toBe('# yaml-language-server: $schema=../src/manifest/city-manifest.schema.json');
    expect(lines[1]).toBe('# Miskolc — scaffolded from valladolid by `storm init`; search for FILL IN.');
    expect(m.text.match(/# FILL IN:/g)).toHaveLength(7);
  });

  it('gives the next new city a network that avoids the previous one', () => {
    scaffoldCity({ cwd: project, name: 'miskolc', from: 'valladolid' });
    const second = scaffoldCity({ cwd: project, name: 'braga', from: 'agueda', displayName: 'Município de Braga' });
    expect(second.network).toEqual({ from: '192.168.64.0/20', to: '10.1.0.0/20' });
    expect(second.fillIn).not.toContain('city.displayName');
    const braga = loadCity('braga', { cwd: project }).doc;
    expect(braga.city.displayName).toBe('Município de Braga');
    expect(JSON.stringify(braga)).not.toContain('"waivers"');
  });

  it('refuses an existing city unless forced, and a name that is not DNS-safe', () => {
    const refuse = (fn: () => unknown): StormError => {
      try {
        fn();
      } catch (err) {
        if (err instanceof StormError) return err;
        throw err;
      }
      throw new Error('expected a StormError');
    };
    expect(refuse(() => scaffoldCity({ cwd: project, name: 'agueda', from: 'valladolid' })).message).toBe(
      'stacks/agueda.yaml already exists',
    );
    expect(scaffoldCity({ cwd: project, name: 'agueda', from: 'valladolid', force: true }).city).toBe('agueda');
    expect(refuse(() => scaffoldCity({ cwd: project, name: 'Miskolc', from: 'valladolid' })).code).toBe('usage');
    expect(refuse(() => scaffoldCity({ cwd: project, name: 'x', from: 'nowhere' })).code).toBe('not-found');
  });
});
