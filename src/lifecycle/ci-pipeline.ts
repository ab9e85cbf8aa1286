/**
 * `storm ci init`: the pipeline a region runs its fleet with, on the CI system it
 * already operates. Every city is validated and audited; the cities a change
 * reaches are planned in parallel shards (plan files and markdown diffs kept as
 * artifacts, one merge-request comment); on the default branch exactly those
 * plans are applied (a stale one is refused by its sidecar), production behind
 * a manual gate. The pipelines only call storm: the logic stays in storm, tested.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { StormError } from '../errors';
import { STORM_VERSION } from '../version';

export type CiSystem = 'gitlab' | 'github';

export interface CiPipelineOptions {
  /** Parallel plan jobs per environment. */
  shards: number;
}

/** The environments the pipeline plans and applies: preprod automatically, production behind a gate. */
export const CI_ENVIRONMENTS = ['preprod', 'production'] as const;

export const CI_FILES: Record<CiSystem, string> = {
  gitlab: '.gitlab-ci.yml',
  github: '.github/workflows/storm.yml',
};

/** The storm the pipeline runs: the project's own pinned dependency (package.json / lock). */
const STORM = 'npx --no-install storm';
const ZERO_SHA = '0000000000000000000000000000000000000000';

export function parseShardCount(value: string | undefined): number {
  const n = Number(value ?? '2');
  if (!Number.isInteger(n) || n < 1 || n > 50)
    throw new StormError('usage', `--shards must be a whole number from 1 to 50, not "${String(value)}"`);
  return n;
}

/**
 * The shell lines of a plan job: plan the cities changed since the base revision (every
 * city when there is none, e.g. a first push), this job's share of them, into plans/<env>/.
 * $STORM_SINCE, $STORM_SHARD and $STORM_ENV come from the job.
 */
function planLines(): string[] {
  return [
    `if [ -z "$STORM_SINCE" ] || [ "$STORM_SINCE" = "${ZERO_SHA}" ]; then SELECT="--all"; else SELECT="--changed-since $STORM_SINCE"; fi`,
    '$STORM list $SELECT --shard "$STORM_SHARD"',
    '$STORM plan $SELECT --shard "$STORM_SHARD" --env "$STORM_ENV" --out-dir "plans/$STORM_ENV"',
  ];
}

const COMMENT_LINES = [
  'mkdir -p plans',
  `{ echo "## storm plan"; echo; for f in plans/*/*.md; do [ -e "$f" ] && { cat "$f"; echo; }; done; } > comment.md`,
  `if ! ls plans/*/*.md >/dev/null 2>&1; then echo "_no city is affected by this change_" >> comment.md; fi`,
];

function header(system: CiSystem, o: CiPipelineOptions): string {
  return `# Written by \`storm ci init --${system} --shards ${o.shards}\` (storm ${STORM_VERSION}); edit freely, or
# write it again with --force. What it does:
#   every change      validate and audit every city
#   merge request     plan the cities the change reaches (manifest, templates, storm version, policy),
#                     ${o.shards} shard(s) per environment in parallel; plan files + markdown diffs are
#                     artifacts, and one comment on the merge request collects the diffs
#   default branch    plan the same way, apply exactly those plans to preprod, then to production
#                     behind a manual gate; a plan made stale meanwhile is refused, never re-planned
# Settings (CI/CD variables or secrets): the cloud (a clouds.yaml whose entries the manifests'
# cloud.name select); STORM_PG_URL, as jobs share nothing on disk: the manifests keep state (and
# so the audit log) in PostgreSQL, where many runners share state and locks; STORM_RELEASE_KEY, the
# release signing key (a file), or each job would make its own and the apply job would refuse the
# plan as stale; STORM_AUDIT_KEY for a keyed audit log; and a token for the comment.
`;
}

export function gitlabPipeline(o: CiPipelineOptions): string {
  // Generated shell lines are single-quoted YAML scalars: no ": ", " #" or leading "{" can change their meaning.
  const indent = (lines: string[], n: number): string =>
    lines.map((l) => `${' '.repeat(n)}- '${l.replace(/'/g, "''")}'`).join('\n');
  const planJob = (env: string): string => `plan-${env}:
  extends: .plan
  variables:
    STORM_ENV: ${env}
  artifacts:
    when: always
    expire_in: 1 week
    paths:
      - plans/${env}/`;
  return `${header('gitlab', o)}# GitLab: OS_CLIENT_CONFIG_FILE and STORM_RELEASE_KEY as "File" variables (clouds.yaml, the key);
# STORM_COMMENT_TOKEN (a
# project access token, scope api) for the merge-request comment. Production's manual gate is the
# "apply-production" job; protect the production environment to choose who may run it.

workflow:
  rules:
    - if: $CI_PIPELINE_SOURCE == "merge_request_event"
    - if: $CI_COMMIT_BRANCH == $CI_DEFAULT_BRANCH

stages:
  - check
  - plan
  - report
  - apply

variables:
  STORM: ${STORM}
  STORM_CACHE_DIR: $CI_PROJECT_DIR/.cache/storm
  GIT_DEPTH: "0"

default:
  image: node:20-bookworm
  cache:
    - key: storm-engine-${STORM_VERSION}
      paths:
        - .cache/storm/
  before_script:
    - npm ci

check:
  stage: check
  script:
    - $STORM validate --all
    - $STORM audit --all

.plan:
  stage: plan
${o.shards > 1 ? `  parallel: ${o.shards}\n` : ''}  script:
    - STORM_SINCE="\${CI_MERGE_REQUEST_DIFF_BASE_SHA:-$CI_COMMIT_BEFORE_SHA}"
    - STORM_SHARD="\${CI_NODE_INDEX:-1}/\${CI_NODE_TOTAL:-1}"
${indent(planLines(), 4)}

${planJob('preprod')}

${planJob('production')}

comment:
  stage: report
  rules:
    - if: $CI_PIPELINE_SOURCE == "merge_request_event"
  needs:
    - plan-preprod
    - plan-production
  before_script: []
  script:
${indent(COMMENT_LINES, 4)}
    - 'if [ -n "$STORM_COMMENT_TOKEN" ]; then curl --fail --silent --show-error --request POST --header "PRIVATE-TOKEN: $STORM_COMMENT_TOKEN" --data-urlencode "body@comment.md" "$CI_API_V4_URL/projects/$CI_PROJECT_ID/merge_requests/$CI_MERGE_REQUEST_IID/notes" > /dev/null; else echo "STORM_COMMENT_TOKEN is not set: the comment is only an artifact"; fi'
  artifacts:
    paths:
      - comment.md

apply-preprod:
  stage: apply
  rules:
    - if: $CI_COMMIT_BRANCH == $CI_DEFAULT_BRANCH
  needs:
    - check
    - plan-preprod
  resource_group: storm-preprod
  environment:
    name: preprod
  script:
    - $STORM provision --plan-dir plans/preprod --env preprod --yes

apply-production:
  stage: apply
  rules:
    - if: $CI_COMMIT_BRANCH == $CI_DEFAULT_BRANCH
      when: manual
      allow_failure: false
  needs:
    - check
    - plan-production
    - apply-preprod
  resource_group: storm-production
  environment:
    name: production
  script:
    - $STORM provision --plan-dir plans/production --env production --yes
`;
}

export function githubWorkflow(o: CiPipelineOptions): string {
  const shards = Array.from({ length: o.shards }, (_, i) => i + 1).join(', ');
  const run = (lines: string[], n: number): string => lines.map((l) => `${' '.repeat(n)}${l}`).join('\n');
  const setup = `      - uses: actions/checkout@v4
        with:
          fetch-depth: 0
      - uses: actions/setup-node@v4
        with:
          node-version: 20
          cache: npm
      - uses: actions/cache@v4
        with:
          path: .cache/storm
          key: storm-engine-${STORM_VERSION}
      - run: npm ci
      - name: cloud and release key
        env:
          CLOUDS_YAML: \${{ secrets.STORM_CLOUDS_YAML }}
          RELEASE_KEY: \${{ secrets.STORM_RELEASE_KEY_PEM }}
        run: |
          umask 077
          if [ -n "$CLOUDS_YAML" ]; then
            mkdir -p ~/.config/openstack && printf '%s\\n' "$CLOUDS_YAML" > ~/.config/openstack/clouds.yaml
          fi
          if [ -n "$RELEASE_KEY" ]; then
            printf '%s\\n' "$RELEASE_KEY" > "$RUNNER_TEMP/release-key.pem"
            echo "STORM_RELEASE_KEY=$RUNNER_TEMP/release-key.pem" >> "$GITHUB_ENV"
          fi`;
  const apply = (env: string, needs: string[]): string => `  apply-${env}:
    if: github.event_name == 'push'
    needs: [${needs.join(', ')}]
    runs-on: ubuntu-latest
    environment: ${env}
    concurrency: storm-${env}
    steps:
${setup}
      - uses: actions/download-artifact@v4
        with:
          pattern: plans-${env}-*
          merge-multiple: true
          path: plans
      - run: $STORM provision --plan-dir plans/${env} --env ${env} --yes`;
  return `${header('github', o)}# GitHub: secrets STORM_CLOUDS_YAML (a clouds.yaml), STORM_RELEASE_KEY_PEM (the key itself),
# STORM_PG_URL, STORM_AUDIT_KEY. Production's
# manual gate: give the "production" environment required reviewers (Settings → Environments).

name: storm

on:
  pull_request:
  push:
    branches: [main]

permissions:
  contents: read

env:
  STORM: ${STORM}
  STORM_CACHE_DIR: \${{ github.workspace }}/.cache/storm
  STORM_PG_URL: \${{ secrets.STORM_PG_URL }}
  STORM_AUDIT_KEY: \${{ secrets.STORM_AUDIT_KEY }}

jobs:
  check:
    runs-on: ubuntu-latest
    steps:
${setup}
      - run: $STORM validate --all
      - run: $STORM audit --all

  plan:
    needs: [check]
    runs-on: ubuntu-latest
    strategy:
      fail-fast: false
      matrix:
        env: [${CI_ENVIRONMENTS.join(', ')}]
        shard: [${shards}]
    steps:
${setup}
      - name: plan
        env:
          STORM_SINCE: \${{ github.event.pull_request.base.sha || github.event.before }}
          STORM_SHARD: \${{ matrix.shard }}/${o.shards}
          STORM_ENV: \${{ matrix.env }}
        run: |
${run(planLines(), 10)}
      - uses: actions/upload-artifact@v4
        with:
          name: plans-\${{ matrix.env }}-\${{ matrix.shard }}
          path: plans/
          if-no-files-found: ignore

  comment:
    if: github.event_name == 'pull_request'
    needs: [plan]
    runs-on: ubuntu-latest
    permissions:
      pull-requests: write
    steps:
      - uses: actions/download-artifact@v4
        with:
          pattern: plans-*
          merge-multiple: true
          path: plans
      - env:
          GH_TOKEN: \${{ github.token }}
          GH_REPO: \${{ github.repository }}
          PR: \${{ github.event.pull_request.number }}
        run: |
${run(COMMENT_LINES, 10)}
          gh pr comment "$PR" --edit-last --body-file comment.md || gh pr comment "$PR" --body-file comment.md

${apply('preprod', ['check', 'plan'])}

${apply('production', ['check', 'plan', 'apply-preprod'])}
`;
}

export function ciPipeline(system: CiSystem, o: CiPipelineOptions): string {
  return system === 'gitlab' ? gitlabPipeline(o) : githubWorkflow(o);
}

/** Writes the pipeline into the project; an existing file is kept unless force. */
export function writeCiPipeline(
  cwd: string,
  system: CiSystem,
  o: CiPipelineOptions,
  force: boolean,
): { file: string; system: CiSystem; shards: number; bytes: number } {
  const file = path.join(cwd, CI_FILES[system]);
  if (fs.existsSync(file) && !force)
    throw new StormError('usage', `${CI_FILES[system]} exists already; storm does not overwrite it`, {
      hint: `compare with \`storm ci init --${system} --print\`, or replace it with --force`,
    });
  const text = ciPipeline(system, o);
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, text);
  return { file: CI_FILES[system], system, shards: o.shards, bytes: Buffer.byteLength(text) };
}
