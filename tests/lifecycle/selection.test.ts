import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  changedPathsSince,
  citiesAffected,
  dealShards,
  parseShard,
  selectCities,
  shardMembers,
} from '../../src/lifecycle/selection';

describe('parseShard', () => {
  it('reads I/N and refuses what is not a share', () => {
    expect(parseShard('2/4')).toEqual({ index: 2, count: 4 });
    expect(parseShard(' 1/1 ')).toEqual({ index: 1, count: 1 });
    for (const bad of ['0/3', '4/3', '1/0', '1', '1/', '/3', 'a/b', '-1/3', '1/3/4', '1/1001'])
      expect(() => parseShard(bad), bad).toThrow(/--shard must be I\/N/);
  });
});

describe('dealShards', () => {
  it('sorts by name and deals round-robin, whatever order the names come in', () => {
    const dealt = dealShards(['valladolid', 'agueda', 'thessaloniki', 'braga', 'cadiz'], 2);
    expect([...dealt]).toEqual([
      ['agueda', 1],
      ['braga', 2],
      ['cadiz', 1],
      ['thessaloniki', 2],
      ['valladolid', 1],
    ]);
    expect(dealShards(['cadiz', 'braga', 'agueda', 'valladolid', 'thessaloniki'], 2)).toEqual(dealt);
  });

  it('puts every city in exactly one shard, and shards differ by at most one city', () => {
    const names = Array.from({ length: 203 }, (_, i) => `city-${String(i).padStart(3, '0')}`);
    for (const count of [1, 2, 3, 4, 7, 203, 250]) {
      const shards = Array.from({ length: count }, (_, i) => shardMembers(names, { index: i + 1, count }));
      const all = shards.flat();
      expect(all.length, `N=${count}`).toBe(names.length);
      expect(new Set(all).size, `N=${count}`).toBe(names.length);
      const sizes = shards.map((s) => s.length);
      expect(Math.max(...sizes) - Math.min(...sizes), `N=${count}`).toBeLessThanOrEqual(1);
    }
  });
});

describe('citiesAffected', () => {
  const cities = [
    { name: 'agueda', templates: ['participa'] },
    { name: 'thessaloniki', templates: ['virtual-city-marketplace'] },
    { name: 'valladolid', templates: ['urbanismo-en-red', 'participa'] },
    { name: 'bare', templates: [] },
  ];

  it('a manifest selects its city only', () => {
    expect(citiesAffected(cities, ['stacks/valladolid.yaml'])).toEqual(
      new Map([['valladolid', ['manifest stacks/valladolid.yaml']]]),
    );
    expect([...citiesAffected(cities, ['stacks/bare.yml']).keys()]).toEqual(['bare']);
  });

  it('a template selects the cities that use it; shared template code every city with a service', () => {
    expect([...citiesAffected(cities, ['templates/participa/app/server.ts']).keys()]).toEqual(['agueda', 'valladolid']);
    expect([...citiesAffected(cities, ['templates/_runtime/http.ts']).keys()]).toEqual([
      'agueda',
      'thessaloniki',
      'valladolid',
    ]);
    expect([...citiesAffected(cities, ['templates/tsconfig.base.json']).keys()]).toHaveLength(3);
  });

  it('storm version and policy settings select every city; docs, removed cities and other files none', () => {
    expect([...citiesAffected(cities, ['package-lock.json']).keys()]).toEqual([
      'agueda',
      'bare',
      'thessaloniki',
      'valladolid',
    ]);
    expect(citiesAffected(cities, ['storm.policy.json']).get('bare')).toEqual(['policy settings (storm.policy.json)']);
    expect(
      citiesAffected(cities, [
        'README.md',
        'templates/README.md',
        'stacks/gone.yaml',
        'docs/x.md',
        'stacks/sub/a.yaml',
      ]),
    ).toEqual(new Map());
  });

  it('lists every reason once, cities in name order', () => {
    const r = citiesAffected(cities, ['templates/participa/a.ts', 'templates/participa/b.ts', 'stacks/agueda.yaml']);
    expect([...r]).toEqual([
      ['agueda', ['template participa', 'manifest stacks/agueda.yaml']],
      ['valladolid', ['template participa']],
    ]);
  });
});

describe('changed cities from git', () => {
  it('reads committed, uncommitted and untracked changes since a revision; refuses a bad one', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'storm-selection-'));
    const git = (...args: string[]): string =>
      execFileSync('git', ['-c', 'user.email=t@example.org', '-c', 'user.name=t', ...args], {
        cwd: dir,
        encoding: 'utf8',
      });
    try {
      fs.mkdirSync(path.join(dir, 'stacks'));
      for (const c of ['a', 'b', 'c', 'd']) fs.writeFileSync(path.join(dir, 'stacks', `${c}.yaml`), `city: ${c}\n`);
      git('init', '-q');
      git('add', '.');
      git('commit', '-qm', 'one');
      fs.appendFileSync(path.join(dir, 'stacks', 'a.yaml'), '# committed\n');
      git('commit', '-qam', 'two');
      fs.appendFileSync(path.join(dir, 'stacks', 'b.yaml'), '# uncommitted\n');
      fs.writeFileSync(path.join(dir, 'stacks', 'e.yaml'), 'city: e\n');

      expect(await changedPathsSince(dir, 'HEAD~1')).toEqual(['stacks/a.yaml', 'stacks/b.yaml', 'stacks/e.yaml']);
      expect(await changedPathsSince(dir, 'HEAD')).toEqual(['stacks/b.yaml', 'stacks/e.yaml']);
      const sel = await selectCities(dir, [], { changedSince: 'HEAD~1', shard: '2/2' });
      expect(sel.cities).toEqual(['b']);
      expect(sel.reasons).toEqual({
        a: ['manifest stacks/a.yaml'],
        b: ['manifest stacks/b.yaml'],
        e: ['manifest stacks/e.yaml'],
      });
      await expect(changedPathsSince(dir, 'no-such-ref')).rejects.toThrow(/no git revision "no-such-ref"/);
      await expect(changedPathsSince(dir, '--output=/tmp/x')).rejects.toThrow(/is not a git revision/);
      await expect(selectCities(dir, ['a'], { changedSince: 'HEAD' })).rejects.toThrow(/not both/);
      expect((await selectCities(dir, [], { shard: '1/3' })).cities).toEqual(['a', 'd']);
      expect((await selectCities(dir, [], { changedSince: 'HEAD', shard: '3/3' })).cities).toEqual([]);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
