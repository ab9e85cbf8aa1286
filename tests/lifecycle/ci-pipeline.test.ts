/**
 * The pipelines `storm ci init` writes, checked against the documented schemas
 * (GitLab: docs.gitlab.com/ci/yaml; GitHub: docs.github.com "Workflow syntax for
 * GitHub Actions"). Neither GitLab's linter nor actionlint is packaged for Debian,
 * so this is a structural check of the keywords, references and expressions the
 * pipelines use, plus `bash -n` on every shell line. The e2e fleet test runs one
 * shard's lines against the sandbox.
 */
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { ciPipeline, githubWorkflow, gitlabPipeline, writeCiPipeline } from '../../src/lifecycle/ci-pipeline';

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

const GITLAB_GLOBAL = new Set(['default', 'include', 'stages', 'variables', 'workflow', 'spec']);
const GITLAB_JOB = new Set([
  'after_script',
  'allow_failure',
  'artifacts',
  'before_script',
  'cache',
  'coverage',
  'dependencies',
  'environment',
  'extends',
  'hooks',
  'id_tokens',
  'image',
  'inherit',
  'interruptible',
  'needs',
  'pages',
  'parallel',
  'release',
  'resource_group',
  'retry',
  'rules',
  'script',
  'secrets',
  'services',
  'stage',
  'tags',
  'timeout',
  'trigger',
  'variables',
  'when',
]);
const GITLAB_DEFAULT = new Set([
  'after_script',
  'artifacts',
  'before_script',
  'cache',
  'hooks',
  'image',
  'interruptible',
  'retry',
  'services',
  'tags',
  'timeout',
]);
const GITLAB_RULE = new Set([
  'if',
  'changes',
  'exists',
  'when',
  'allow_failure',
  'needs',
  'variables',
  'interruptible',
]);
const GITLAB_ARTIFACTS = new Set([
  'paths',
  'exclude',
  'expire_in',
  'expose_as',
  'name',
  'public',
  'access',
  'reports',
  'untracked',
  'when',
]);
const GITLAB_WHEN = new Set(['on_success', 'on_failure', 'never', 'always', 'manual', 'delayed']);

/** The problems of a GitLab CI document, per the keyword reference. */
function gitlabProblems(doc: Obj): string[] {
  const problems: string[] = [];
  const stages = Array.isArray(doc.stages) ? (doc.stages as string[]) : ['build', 'test', 'deploy'];
  const jobs = Object.entries(doc).filter(([k]) => !GITLAB_GLOBAL.has(k));
  const byName = new Map(jobs);
  if (isObj(doc.default))
    for (const k of Object.keys(doc.default)) if (!GITLAB_DEFAULT.has(k)) problems.push(`default: unknown ${k}`);
  const resolved = (name: string): Obj => {
    const job = byName.get(name);
    if (!isObj(job)) return {};
    const base = typeof job.extends === 'string' ? resolved(job.extends) : {};
    return { ...base, ...job };
  };
  for (const [name, raw] of jobs) {
    if (!isObj(raw)) {
      problems.push(`${name}: not a job`);
      continue;
    }
    for (const k of Object.keys(raw)) if (!GITLAB_JOB.has(k)) problems.push(`${name}: unknown keyword ${k}`);
    if (typeof raw.extends === 'string' && !byName.has(raw.extends)) problems.push(`${name}: extends a missing job`);
    if (name.startsWith('.')) continue;
    const job = resolved(name);
    if (!Array.isArray(job.script) && job.trigger === undefined) problems.push(`${name}: no script`);
    for (const key of ['script', 'before_script'] as const)
      if (
        job[key] !== undefined &&
        (!Array.isArray(job[key]) || (job[key] as unknown[]).some((l) => typeof l !== 'string'))
      )
        problems.push(`${name}: ${key} must be a list of strings`);
    const stage = typeof job.stage === 'string' ? job.stage : 'test';
    if (!stages.includes(stage)) problems.push(`${name}: stage ${stage} is not in stages`);
    if (
      job.parallel !== undefined &&
      !(Number.isInteger(job.parallel) && (job.parallel as number) >= 1 && (job.parallel as number) <= 200)
    )
      problems.push(`${name}: parallel must be 1..200`);
    if (job.when !== undefined && !GITLAB_WHEN.has(job.when as string)) problems.push(`${name}: bad when`);
    for (const rule of (job.rules ?? []) as unknown[]) {
      if (!isObj(rule)) problems.push(`${name}: a rule is not a map`);
      else {
        for (const k of Object.keys(rule)) if (!GITLAB_RULE.has(k)) problems.push(`${name}: unknown rule key ${k}`);
        if (rule.when !== undefined && !GITLAB_WHEN.has(rule.when as string)) problems.push(`${name}: bad rule when`);
      }
    }
    if (isObj(job.artifacts)) {
      for (const k of Object.keys(job.artifacts))
        if (!GITLAB_ARTIFACTS.has(k)) problems.push(`${name}: unknown artifacts key ${k}`);
      if (!Array.isArray(job.artifacts.paths)) problems.push(`${name}: artifacts.paths must be a list`);
    }
    if (job.environment !== undefined && !(typeof job.environment === 'string' || isObj(job.environment)))
      problems.push(`${name}: bad environment`);
    for (const need of (job.needs ?? []) as unknown[]) {
      const needed = typeof need === 'string' ? need : isObj(need) ? (need.job as string) : undefined;
      if (needed === undefined || !byName.has(needed) || needed.startsWith('.')) {
        problems.push(`${name}: needs a missing job ${String(needed)}`);
        continue;
      }
      const neededStage = (resolved(needed).stage as string | undefined) ?? 'test';
      if (stages.indexOf(neededStage) > stages.indexOf(stage))
        problems.push(`${name}: needs ${needed} of a later stage`);
    }
  }
  for (const rule of (isObj(doc.workflow) ? (doc.workflow.rules as unknown[]) : []) ?? [])
    if (!isObj(rule) || typeof rule.if !== 'string') problems.push('workflow: a rule without if');
  return problems;
}

const GITHUB_TOP = new Set(['name', 'run-name', 'on', 'permissions', 'env', 'defaults', 'concurrency', 'jobs']);
const GITHUB_JOB = new Set([
  'name',
  'permissions',
  'needs',
  'if',
  'runs-on',
  'environment',
  'concurrency',
  'outputs',
  'env',
  'defaults',
  'steps',
  'timeout-minutes',
  'strategy',
  'continue-on-error',
  'container',
  'services',
  'uses',
  'with',
  'secrets',
]);
const GITHUB_STEP = new Set([
  'id',
  'if',
  'name',
  'uses',
  'run',
  'working-directory',
  'shell',
  'with',
  'env',
  'continue-on-error',
  'timeout-minutes',
]);
const GITHUB_PERMISSION_SCOPES = new Set([
  'actions',
  'attestations',
  'checks',
  'contents',
  'deployments',
  'id-token',
  'issues',
  'discussions',
  'packages',
  'pages',
  'pull-requests',
  'repository-projects',
  'security-events',
  'statuses',
]);
const GITHUB_CONTEXTS = new Set([
  'github',
  'env',
  'vars',
  'job',
  'jobs',
  'steps',
  'runner',
  'secrets',
  'strategy',
  'matrix',
  'needs',
  'inputs',
]);

/** The problems of a GitHub Actions workflow, per "Workflow syntax for GitHub Actions". */
function githubProblems(doc: Obj, text: string): string[] {
  const problems: string[] = [];
  for (const k of Object.keys(doc)) if (!GITHUB_TOP.has(k)) problems.push(`unknown top-level key ${k}`);
  if (!isObj(doc.on)) problems.push('no on:');
  const checkPermissions = (where: string, p: unknown): void => {
    if (!isObj(p)) return;
    for (const [scope, level] of Object.entries(p)) {
      if (!GITHUB_PERMISSION_SCOPES.has(scope)) problems.push(`${where}: unknown permission ${scope}`);
      if (!['read', 'write', 'none'].includes(level as string))
        problems.push(`${where}: bad permission level ${String(level)}`);
    }
  };
  checkPermissions('workflow', doc.permissions);
  const jobs = isObj(doc.jobs) ? doc.jobs : {};
  for (const [name, raw] of Object.entries(jobs)) {
    if (!/^[A-Za-z_][A-Za-z0-9_-]*$/.test(name)) problems.push(`${name}: bad job id`);
    if (!isObj(raw)) {
      problems.push(`${name}: not a job`);
      continue;
    }
    for (const k of Object.keys(raw)) if (!GITHUB_JOB.has(k)) problems.push(`${name}: unknown key ${k}`);
    checkPermissions(name, raw.permissions);
    if (raw['runs-on'] === undefined) problems.push(`${name}: no runs-on`);
    const needs = raw.needs === undefined ? [] : Array.isArray(raw.needs) ? raw.needs : [raw.needs];
    for (const n of needs)
      if (typeof n !== 'string' || !(n in jobs)) problems.push(`${name}: needs a missing job ${String(n)}`);
    const matrix = isObj(raw.strategy) && isObj(raw.strategy.matrix) ? raw.strategy.matrix : {};
    const jobText = JSON.stringify(raw);
    for (const m of jobText.matchAll(/matrix\.([A-Za-z_-]+)/g))
      if (!((m[1] as string) in matrix)) problems.push(`${name}: matrix.${m[1]} is not in its matrix`);
    if (!Array.isArray(raw.steps) || raw.steps.length === 0) problems.push(`${name}: no steps`);
    for (const [i, step] of ((raw.steps ?? []) as unknown[]).entries()) {
      if (!isObj(step)) {
        problems.push(`${name}.steps[${i}]: not a map`);
        continue;
      }
      for (const k of Object.keys(step))
        if (!GITHUB_STEP.has(k)) problems.push(`${name}.steps[${i}]: unknown key ${k}`);
      if ((step.uses === undefined) === (step.run === undefined))
        problems.push(`${name}.steps[${i}]: exactly one of uses and run`);
      if (typeof step.uses === 'string' && !/^[\w.-]+\/[\w.-]+(\/[\w./-]+)?@[\w.-]+$/.test(step.uses))
        problems.push(`${name}.steps[${i}]: uses must be owner/repo@ref`);
    }
  }
  // Dependencies form no cycle.
  const visiting = new Set<string>();
  const visit = (job: string, trail: string[]): void => {
    if (trail.includes(job)) problems.push(`needs cycle: ${[...trail, job].join(' → ')}`);
    else if (!visiting.has(job)) {
      visiting.add(job);
      const raw = jobs[job];
      const needs = isObj(raw)
        ? ((Array.isArray(raw.needs) ? raw.needs : raw.needs === undefined ? [] : [raw.needs]) as string[])
        : [];
      for (const n of needs) visit(n, [...trail, job]);
    }
  };
  for (const job of Object.keys(jobs)) visit(job, []);
  for (const m of text.matchAll(/\$\{\{(.*?)\}\}/g)) {
    const expr = (m[1] as string).trim();
    const context = /^([a-z]+)[.[]/.exec(expr)?.[1];
    if (context === undefined || !GITHUB_CONTEXTS.has(context)) problems.push(`expression ${expr}: unknown context`);
  }
  if ((text.match(/\$\{\{/g) ?? []).length !== (text.match(/\}\}/g) ?? []).length) problems.push('unbalanced ${{ }}');
  return problems;
}

function bashProblems(lines: readonly string[]): string[] {
  return lines.flatMap((l) => {
    try {
      execFileSync('bash', ['-n', '-c', l], { stdio: 'pipe' });
      return [];
    } catch (err) {
      return [`bash -n: ${l}: ${String((err as { stderr?: Buffer }).stderr ?? err)}`];
    }
  });
}

describe('storm ci init: GitLab', () => {
  for (const shards of [1, 3]) {
    it(`--shards ${shards}: a valid pipeline with the jobs and gates the issue asks for`, () => {
      const text = gitlabPipeline({ shards });
      const doc = parse(text) as Obj;
      expect(gitlabProblems(doc)).toEqual([]);
      const jobs = doc as Record<string, Obj>;
      expect(jobs['.plan']?.parallel).toBe(shards === 1 ? undefined : shards);
      expect(jobs.check?.script).toEqual(['$STORM validate --all', '$STORM audit --all']);
      for (const env of ['preprod', 'production']) {
        expect((jobs[`plan-${env}`]?.artifacts as Obj).paths).toEqual([`plans/${env}/`]);
        expect(jobs[`apply-${env}`]?.script).toEqual([`$STORM provision --plan-dir plans/${env} --env ${env} --yes`]);
        expect(jobs[`apply-${env}`]?.needs).toContain(`plan-${env}`);
      }
      // Production behind a manual gate that blocks the pipeline; preprod applies on its own.
      expect(jobs['apply-production']?.rules).toEqual([
        { if: '$CI_COMMIT_BRANCH == $CI_DEFAULT_BRANCH', when: 'manual', allow_failure: false },
      ]);
      expect(JSON.stringify(jobs['apply-preprod'])).not.toContain('manual');
      expect(jobs.comment?.rules).toEqual([{ if: '$CI_PIPELINE_SOURCE == "merge_request_event"' }]);
      const lines = Object.values(jobs).flatMap((j) =>
        isObj(j) ? ([...((j.script ?? []) as string[]), ...((j.before_script ?? []) as string[])] as string[]) : [],
      );
      expect(bashProblems(lines)).toEqual([]);
    });
  }

  it('the check bites: a job in an unknown stage, a missing need and an unknown keyword are found', () => {
    const doc = parse(gitlabPipeline({ shards: 2 })) as Record<string, Obj>;
    (doc.check as Obj).stage = 'nope';
    (doc['apply-preprod'] as Obj).needs = ['plan-staging'];
    (doc.comment as Obj).scripts = [];
    expect(gitlabProblems(doc)).toEqual([
      'check: stage nope is not in stages',
      'comment: unknown keyword scripts',
      'apply-preprod: needs a missing job plan-staging',
    ]);
  });
});

describe('storm ci init: GitHub', () => {
  for (const shards of [1, 4]) {
    it(`--shards ${shards}: a valid workflow with the jobs and gates the issue asks for`, () => {
      const text = githubWorkflow({ shards });
      const doc = parse(text) as Obj;
      expect(githubProblems(doc, text)).toEqual([]);
      const jobs = doc.jobs as Record<string, Obj>;
      expect((jobs.plan?.strategy as { matrix: Obj }).matrix).toEqual({
        env: ['preprod', 'production'],
        shard: Array.from({ length: shards }, (_, i) => i + 1),
      });
      expect(jobs['apply-production']?.environment).toBe('production');
      expect(jobs['apply-production']?.needs).toEqual(['check', 'plan', 'apply-preprod']);
      expect(jobs.comment?.permissions).toEqual({ 'pull-requests': 'write' });
      const runs = Object.values(jobs).flatMap((j) =>
        ((j.steps ?? []) as Obj[]).flatMap((s) => (typeof s.run === 'string' ? [s.run] : [])),
      );
      expect(runs).toContain('$STORM provision --plan-dir plans/production --env production --yes');
      expect(bashProblems(runs)).toEqual([]);
    });
  }

  it('the check bites: a step with both uses and run, a bad permission and an unknown matrix key are found', () => {
    const text = githubWorkflow({ shards: 2 });
    const doc = parse(text) as { jobs: Record<string, Obj & { steps: Obj[] }> };
    (doc.jobs.check as Obj & { steps: Obj[] }).steps[0] = { uses: 'actions/checkout@v4', run: 'true' };
    (doc.jobs.comment as Obj).permissions = { 'pull-requests': 'admin' };
    (doc.jobs.plan as Obj & { steps: Obj[] }).steps.push({ run: '${{ matrix.region }}' });
    expect(githubProblems(doc as unknown as Obj, text)).toEqual([
      'check.steps[0]: exactly one of uses and run',
      'plan: matrix.region is not in its matrix',
      'comment: bad permission level admin',
    ]);
  });
});

describe('writeCiPipeline', () => {
  it('writes the file, refuses to overwrite it without force', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'storm-ci-'));
    try {
      expect(writeCiPipeline(dir, 'github', { shards: 2 }, false).file).toBe('.github/workflows/storm.yml');
      expect(fs.readFileSync(path.join(dir, '.github/workflows/storm.yml'), 'utf8')).toBe(
        ciPipeline('github', { shards: 2 }),
      );
      expect(() => writeCiPipeline(dir, 'github', { shards: 3 }, false)).toThrow(/exists already/);
      writeCiPipeline(dir, 'github', { shards: 3 }, true);
      expect(fs.readFileSync(path.join(dir, '.github/workflows/storm.yml'), 'utf8')).toContain('shard: [1, 2, 3]');
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
