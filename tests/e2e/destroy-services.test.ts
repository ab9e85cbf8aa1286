/**
 * Destroying a city whose services were deployed: storm first removes what the
 * deploy step stored (artifacts, release pointers, seed documents, in versioned
 * containers too), so the containers can be deleted and nothing of the city is
 * left in the cloud.
 */
import * as fs from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningSandbox, SandboxReader, makeProject, startProjectSandbox, stateOf } from './lifecycle-support';
import { cleanEnv, stormAsync } from '../support/storm';

let project: string;
let sandbox: RunningSandbox;

beforeAll(() => {
  project = makeProject('destroy-services');
  sandbox = startProjectSandbox(project);
});

afterAll(() => {
  sandbox.stop();
  fs.rmSync(project, { recursive: true, force: true });
});

describe('destroy after deploy', () => {
  it('provisions valladolid with its service, destroys it, and leaves no container, object or resource of the city', async () => {
    const up = await stormAsync(['provision', 'valladolid', '--yes'], { project, env: cleanEnv() });
    expect(up.stderr).toMatch(/deployed urbanismo-en-red/);
    expect(up.code).toBe(0);

    const reader = new SandboxReader(sandbox);
    await reader.login();
    const containersBefore = (await reader.request('GET', 'object-store', '?format=json')).body as Array<{
      name: string;
    }>;
    expect(containersBefore.map((c) => c.name)).toEqual(
      expect.arrayContaining(['storm-releases-valladolid-preprod', 'valladolid-preprod-plan-documents']),
    );

    const down = await stormAsync(['destroy', 'valladolid', '--yes'], { project, env: cleanEnv() });
    expect(down.stderr).toMatch(/removed \d+ deployed objects/);
    expect(down.code).toBe(0);
    expect(stateOf(project, 'valladolid')?.resources ?? []).toEqual([]);
    const containersAfter = (await reader.request('GET', 'object-store', '?format=json')).body as Array<{
      name: string;
    }>;
    expect(containersAfter).toEqual([]);
    expect(await reader.namesWithPrefix('valladolid-')).toEqual([]);
  }, 300_000);
});
