import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

/** The verdict of `npm run test:conformance`, judged on literal results (the run itself needs Tempest). */
type JudgeModule = {
  readResults(file: string): Map<string, string>;
  readKnownGaps(file: string): Map<string, string>;
  judge(
    baseline: Map<string, string>,
    results: Map<string, string>,
    known: Map<string, string>,
  ): { newGaps: string[]; knownGaps: string[]; closedGaps: string[] };
};
const loadJudge = async (): Promise<JudgeModule> => (await import('./tempest.mjs')) as JudgeModule;

const dir = mkdtempSync(join(tmpdir(), 'storm-tempest-judge-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('test:conformance verdict', () => {
  it('owes the baseline every test the real Zed passes, minus the known gaps, and notices closed gaps', async () => {
    const judgeModule = await loadJudge();
    writeFileSync(join(dir, 'baseline.txt'), 'a pass\nb pass\nc fail\nd pass\ne skip\nf pass\n');
    writeFileSync(join(dir, 'results.txt'), 'a pass\nb fail\nc fail\nd skip\ne pass\nf pass\nnot-a-line\n');
    writeFileSync(join(dir, 'gaps.txt'), '# comment line\nd  # needs the legacy v2 API\nf # was missing\n');
    const known = judgeModule.readKnownGaps(join(dir, 'gaps.txt'));
    expect([...known]).toEqual([
      ['d', 'needs the legacy v2 API'],
      ['f', 'was missing'],
    ]);
    const verdict = judgeModule.judge(
      judgeModule.readResults(join(dir, 'baseline.txt')),
      judgeModule.readResults(join(dir, 'results.txt')),
      known,
    );
    expect(verdict).toEqual({ newGaps: ['b'], knownGaps: ['d'], closedGaps: ['f'] });
  });
});
