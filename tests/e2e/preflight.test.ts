/**
 * Pre-flight against a cloud's own lists (the sandbox's), before any planning: names the cloud
 * does not have get a did-you-mean from its lists, a flavor too small for its image is named with
 * the smallest that fits, and each finding points at the manifest's file:line:column.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeProject } from './lifecycle-support';
import { cleanEnv, storm, stormAsync } from '../support/storm';

describe('pre-flight on a cloud that lacks what the manifest names', { timeout: 120_000 }, () => {
  let project: string;
  let text = '';
  const env = cleanEnv();

  /** `stacks/thessaloniki.yaml:<line>:<column>` of `token` on the first line from `after` that contains it. */
  const at = (token: string, after = 0): string => {
    const lines = text.split('\n');
    const index = lines.findIndex((l, i) => i >= after && l.includes(token));
    return `stacks/thessaloniki.yaml:${index + 1}:${(lines[index] ?? '').indexOf(token) + 1}`;
  };

  beforeAll(() => {
    project = makeProject('preflight');
    const file = path.join(project, 'stacks', 'thessaloniki.yaml');
    text = fs
      .readFileSync(file, 'utf8')
      .replace('  availabilityZones: [nova]', '  availabilityZones: [nova, nova-2]')
      .replace('      flavor: m1.small\n      image: ubuntu-24.04', '      flavor: m1.tiny\n      image: ubuntu-24.04')
      .replace(
        'storage:\n  volumes:',
        [
          '    - name: backoffice',
          '      flavor: m1.smal',
          '      image: ubuntu-24.4',
          '      availabilityZone: nova-2',
          '      subnet: web',
          '      securityGroups: [web]',
          'storage:',
          '  volumes:',
        ].join('\n'),
      )
      .replace('      type: encrypted\n', '      type: encrpyted\n');
    fs.writeFileSync(file, text);
  });

  afterAll(() => {
    storm(['sandbox', 'down'], { project, env });
    fs.rmSync(project, { recursive: true, force: true });
  });

  it('reports every finding at its file:line with a did-you-mean, and changes nothing', async () => {
    const r = await stormAsync(['plan', 'thessaloniki'], { project, env });
    expect(r.code).toBe(1);
    const backoffice = text.split('\n').findIndex((l) => l.includes('name: backoffice'));
    const expected = [
      `${at('nova-2]')}  error cloud.availabilityZones.1: availability zone "nova-2" does not exist in the target cloud (available: nova) — did you mean "nova"?`,
      `${at('m1.smal', backoffice)}  error compute.groups.1.flavor: flavor "m1.smal" does not exist in the target cloud (available: m1.large, m1.medium, m1.small, m1.tiny, m1.xlarge) — did you mean "m1.small"?`,
      `${at('ubuntu-24.4', backoffice)}  error compute.groups.1.image: image "ubuntu-24.4" does not exist in the target cloud (available: cirros-0.6, debian-12, ubuntu-24.04) — did you mean "ubuntu-24.04"?`,
      `${at('nova-2', backoffice + 1)}  error compute.groups.1.availabilityZone: availability zone "nova-2" does not exist in the target cloud (available: nova) — did you mean "nova"?`,
      `${at('encrpyted')}  error storage.volumes.0.type: volume type "encrpyted" does not exist in the target cloud (available: encrypted, standard) — did you mean "encrypted"?`,
      `${at('m1.tiny')}  error compute.groups.0.flavor: flavor "m1.tiny" is too small for image "ubuntu-24.04": a 1 GiB root disk, the image needs 4 GiB (min_disk); 512 MiB RAM, the image needs 1024 MiB — the smallest flavor that fits is "m1.small"`,
    ];
    for (const line of expected) expect(r.stderr).toContain(line);
    expect(r.stderr).toContain('error: pre-flight found 6 problems in cloud "sandbox"; nothing was changed');
    expect(r.stderr).not.toMatch(/planning/);
  });
});
