import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as zlib from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ARTIFACT_METADATA,
  containerSeedObjects,
  packTemplateArtifact,
  tarGzip,
  unpackArtifact,
} from '../../src/deploy/artifact';
import { loadTemplate } from '../../src/manifest/templates';
import { type RunningApp, buildTemplate, repoRoot } from '../templates/app-process';
import { spawn } from 'node:child_process';

async function runExtracted(root: string, entry: string, dataDir: string): Promise<RunningApp> {
  const child = spawn(process.execPath, [path.join(root, entry)], {
    env: { ...process.env, PORT: '0', HOST: '127.0.0.1', STORM_DATA_DIR: dataDir },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stderr.on('data', (c: Buffer) => (out += c.toString()));
  const url = await new Promise<string>((resolve, reject) => {
    child.stdout.on('data', (c: Buffer) => {
      out += c.toString();
      const m = /listening on (http:\/\/[\d.]+:\d+)/.exec(out);
      if (m?.[1] !== undefined) resolve(m[1]);
    });
    child.on('exit', (code) => reject(new Error(`exited ${code}: ${out}`)));
  });
  return {
    url,
    dataDir,
    output: () => out,
    stop: () =>
      new Promise((r) => {
        child.removeAllListeners('exit');
        child.once('exit', () => r());
        child.kill('SIGTERM');
      }),
  };
}

describe('template artifact', () => {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'storm-artifact-'));
  let app: RunningApp | undefined;
  beforeAll(() => buildTemplate('participa'));
  afterAll(async () => app?.stop());

  it('packs the same bytes twice, with template.yaml, seed and the compiled app', () => {
    const t = loadTemplate(repoRoot, 'participa');
    const a = packTemplateArtifact(t);
    const b = packTemplateArtifact(t);
    expect(a.sha256).toBe(b.sha256);
    expect(a.bytes.equals(b.bytes)).toBe(true);
    expect(a.files).toContain('template.yaml');
    expect(a.files).toContain('seed/ideas.json');
    expect(a.files).toContain(t.definition.runtime.entry);
    expect(a.files).toContain('dist/_runtime/server.js');
    expect(a.files.some((f) => f.endsWith('.ts') || f.endsWith('.tsbuildinfo'))).toBe(false);
    expect(a.bytes.length).toBeLessThan(200 * 1024);
  });

  it('is a tar.gz that GNU tar reads, and the extracted app serves its seed data', async () => {
    const t = loadTemplate(repoRoot, 'participa');
    const packed = packTemplateArtifact(t);
    const file = path.join(tmp, 'participa.tar.gz');
    fs.writeFileSync(file, packed.bytes);
    const listed = execFileSync('tar', ['-tzf', file], { encoding: 'utf8' })
      .split('\n')
      .filter((l) => l !== '' && !l.endsWith('/'))
      .sort();
    expect(listed).toEqual(packed.files);
    const root = path.join(tmp, 'gnu');
    fs.mkdirSync(root);
    execFileSync('tar', ['-xzf', file, '-C', root]);
    const meta = JSON.parse(fs.readFileSync(path.join(root, ARTIFACT_METADATA), 'utf8')) as {
      version: string;
      entry: string;
    };
    expect(meta.version).toBe(t.definition.version);
    app = await runExtracted(root, meta.entry, path.join(tmp, 'data'));
    const health = (await (await fetch(`${app.url}/healthz`)).json()) as { version: string; status: string };
    expect(health).toMatchObject({ status: 'ok', version: t.definition.version });
    const ideas = (await (await fetch(`${app.url}/api/ideas`)).json()) as { count: number };
    expect(ideas.count).toBe(5);
  });

  it('unpacks in JavaScript to the same files GNU tar writes', () => {
    const packed = packTemplateArtifact(loadTemplate(repoRoot, 'participa'));
    const dest = path.join(tmp, 'js');
    const written = unpackArtifact(packed.bytes, dest).sort();
    expect(written).toEqual(packed.files);
    for (const f of written)
      expect(fs.readFileSync(path.join(dest, f)).equals(fs.readFileSync(path.join(tmp, 'gnu', f)))).toBe(true);
  });

  it('handles long paths and refuses entries that escape the destination', () => {
    const deep = `${'d'.repeat(90)}/${'e'.repeat(90)}/file.txt`;
    const dest = path.join(tmp, 'long');
    expect(unpackArtifact(tarGzip([{ path: deep, content: Buffer.from('x') }]), dest)).toEqual([deep]);
    expect(fs.readFileSync(path.join(dest, deep), 'utf8')).toBe('x');
    const evil = tarGzip([{ path: 'ok.txt', content: Buffer.from('x') }]);
    // Rewrite the entry name inside the archive to climb out of the destination.
    const raw = zlib.gunzipSync(evil);
    raw.write('../evil.txt\0', 0, 'utf8');
    let sum = 0;
    raw.write('        ', 148, 8, 'ascii');
    for (const byte of raw.subarray(0, 512)) sum += byte;
    raw.write(`${sum.toString(8).padStart(6, '0')}\0 `, 148, 8, 'ascii');
    expect(() => unpackArtifact(zlib.gzipSync(raw), path.join(tmp, 'evil'))).toThrow(/escapes its directory/);
    expect(fs.existsSync(path.join(tmp, 'evil.txt'))).toBe(false);
  });

  it('lists the seed objects to upload into containers, with content types', () => {
    const objects = containerSeedObjects(loadTemplate(repoRoot, 'urbanismo-en-red'));
    expect(objects.map((o) => `${o.container}/${o.name} ${o.contentType}`)).toContain(
      'plan-documents/ped-rio-norte-memoria.pdf application/pdf',
    );
    expect(objects.find((o) => o.name.endsWith('.txt'))?.contentType).toBe('text/plain; charset=utf-8');
    const plans = JSON.parse(
      fs.readFileSync(path.join(repoRoot, 'templates/urbanismo-en-red/seed/plans.json'), 'utf8'),
    ) as { plans: { documents: { object: string; bytes: number }[] }[] };
    // Every document a seeded plan links to is uploaded, with the size the plan states.
    for (const d of plans.plans.flatMap((p) => p.documents))
      expect(objects.find((o) => o.name === d.object)?.content.length).toBe(d.bytes);
    expect(containerSeedObjects(loadTemplate(repoRoot, 'participa'))).toEqual([]);
  });
});
