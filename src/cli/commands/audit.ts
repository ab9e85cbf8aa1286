import * as fs from 'node:fs';
import * as path from 'node:path';
import { Option } from 'commander';
import type { CommandModule } from '../context';
import { JSON_SCHEMA_VERSION, type Output } from '../output';
import { anchorAuditLog, readAuditLog, repairAuditLog, verifyAuditLog } from '../../audit/audit-log';
import { parseAnchor } from '../../audit/audit-chain';
import { evaluateEnvironments, policyViolationError } from '../../audit/policy';
import { POLICY_RULES } from '../../audit/rules/index';
import { StormError } from '../../errors';
import { loadCity } from '../../manifest/load';
import { renderAuditMarkdown, renderAuditText, renderRulesTable } from '../../report/audit';
import { renderGdprText } from '../../report/gdpr';
import { gdprRecordFor } from '../../lifecycle/gdpr';
import { addSelectionOptions, selectForRun } from './selection-options';
import { renderAuditAnchor, renderAuditLog, renderAuditRepair, renderAuditVerification } from '../../report/audit-log';

function readPlanJson(file: string, cwd: string): unknown {
  const abs = path.resolve(cwd, file);
  let text: string;
  try {
    text = fs.readFileSync(abs, 'utf8');
  } catch (err) {
    throw new StormError(
      'not-found',
      `cannot read plan ${file}: ${(err as NodeJS.ErrnoException).code ?? String(err)}`,
    );
  }
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw new StormError('usage', `${file} is not a JSON plan document`, {
      hint: 'pass the output of `tofu show -json <planfile>` run in the stack working directory (.storm/work/<city>/<env>)',
    });
  }
}

/** `--format json` prints the same versioned document as the global --json. */
function emitJson(out: Output, command: string, exitCode: number, result: unknown): void {
  if (out.options.json) out.jsonResult(command, exitCode, result);
  else
    out.text(
      JSON.stringify({ schemaVersion: JSON_SCHEMA_VERSION, command, ok: exitCode === 0, exitCode, result }, null, 2),
    );
}

export const auditCommand: CommandModule = (program, ctx) => {
  const audit = program
    .command('audit')
    .description('Check a city against the policy rules; list and verify its tamper-evident audit log')
    .argument('[city]', 'city name (stacks/<city>.yaml) or manifest file')
    .option('--env <env>', 'check only this environment (default: every environment)')
    .option('--plan <file>', 'also check the planned values of a plan (`tofu show -json` document)')
    .addOption(new Option('--format <format>', 'output format').choices(['text', 'markdown', 'json']).default('text'))
    .option('--rules', 'list the built-in rules instead of checking a city', false)
    .option('--gdpr', 'print the record of processing activities (GDPR Art. 30) the manifest implies', false);
  addSelectionOptions(audit)
    .addHelpText(
      'after',
      `
Exit codes: 0 passed (warnings allowed), 3 an error-severity rule failed, 1 bad input.

Examples:
  $ storm audit valladolid                    # every environment; exit 3 naming rule id and file:line of each violation
  $ storm audit valladolid --env production   # one environment
  $ storm audit valladolid --format markdown  # for a merge-request comment
  $ storm audit --all                         # every city (--shard I/N, --changed-since <ref> narrow it;
                                              #   --json: { cities: [...] }, exit 3 if any city fails)
  $ storm audit --rules --format markdown     # the rule table
  $ storm audit agueda --gdpr                 # the Art. 30 record: controller, DPO, services, personal-data
                                              #   volumes (encrypted?), partners, region; --json: audit-gdpr.v1
  $ storm audit log valladolid                # every plan, provision and destroy recorded for valladolid
  $ storm audit verify valladolid             # exit 1 naming the first edited, removed, inserted or reordered record
  $ storm audit anchor valladolid             # the head to publish (e.g. in the merge request)
  $ storm audit verify valladolid --anchor 12:ab34…   # exit 1 unless the log still extends what was published
  $ storm audit repair valladolid             # move aside a last line a crash cut short

With STORM_AUDIT_KEY (or STORM_AUDIT_KEY_FILE) the chain is keyed (HMAC-SHA256):
nobody without the key can re-hash it or forge its head.`,
    )
    .action(
      async (
        city: string | undefined,
        opts: {
          env?: string;
          plan?: string;
          format: 'text' | 'markdown' | 'json';
          rules: boolean;
          gdpr: boolean;
          all: boolean;
          shard?: string;
          changedSince?: string;
        },
      ) => {
        ctx.setCommand('audit');
        const out = ctx.output();
        const json = out.options.json || opts.format === 'json';
        if (opts.rules) {
          const rules = POLICY_RULES.map((r) => ({
            id: r.id,
            name: r.name,
            family: r.family,
            severity: r.severity,
            title: r.title,
            hint: r.hint,
          }));
          if (json) emitJson(out, 'audit', 0, { rules });
          else out.text(renderRulesTable(POLICY_RULES, opts.format === 'markdown' ? 'markdown' : 'text'));
          ctx.setExitCode(0);
          return;
        }
        if (opts.gdpr) {
          if (city === undefined)
            throw new StormError('usage', 'name the city whose record of processing activities to print', {
              hint: 'storm audit <city> --gdpr [--json]',
            });
          const record = gdprRecordFor(city, ctx.globals().cwd);
          if (json) emitJson(out, 'audit', 0, record);
          else out.text(renderGdprText(record));
          ctx.setExitCode(0);
          return;
        }
        if (opts.all || opts.shard !== undefined || opts.changedSince !== undefined) {
          if (opts.plan !== undefined)
            throw new StormError('usage', '--plan belongs to one city and environment, not to --all/--shard');
          const cwd = ctx.globals().cwd;
          const selection = await selectForRun(out, cwd, city === undefined ? [] : [city], opts);
          const runs = selection.cities.map((c) =>
            evaluateEnvironments(loadCity(c, { cwd }), opts.env === undefined ? undefined : [opts.env]),
          );
          const failed = runs.filter((r) => !r.passed);
          const code = failed.length === 0 ? 0 : 3;
          if (json) emitJson(out, 'audit', code, { cities: runs });
          else
            out.text(
              runs
                .map((r) => (opts.format === 'markdown' ? renderAuditMarkdown(r) : renderAuditText(r, out.chalk)))
                .join('\n\n'),
            );
          if (failed.length > 0 && !json)
            throw new StormError(
              'policy-violation',
              `policy failed for ${failed.length} of ${runs.length} cities: ${failed.map((r) => r.city).join(', ')}`,
              { hint: 'each failing rule is listed above with its file:line; fix it or add an approved waiver' },
            );
          ctx.setExitCode(code);
          return;
        }
        if (city === undefined)
          throw new StormError('usage', 'name a city to audit (or use --all, --rules, log, verify)', {
            hint: 'storm audit <city> [--env production]',
          });
        const cwd = ctx.globals().cwd;
        const loaded = loadCity(city, { cwd });
        if (opts.plan !== undefined && opts.env === undefined)
          throw new StormError('usage', '--plan belongs to one environment: name it with --env', {
            hint: `storm audit ${city} --env production --plan plan.json`,
          });
        const run = evaluateEnvironments(
          loaded,
          opts.env === undefined ? undefined : [opts.env],
          opts.plan === undefined ? {} : { plan: readPlanJson(opts.plan, cwd) },
        );
        const code = run.passed ? 0 : 3;
        if (json) emitJson(out, 'audit', code, run);
        else out.text(opts.format === 'markdown' ? renderAuditMarkdown(run) : renderAuditText(run, out.chalk));
        if (!run.passed && !json) {
          const err = policyViolationError(run);
          // The findings are already on stdout; stderr gets the one-line verdict.
          throw new StormError(err.code, err.message, { ...(err.hint === undefined ? {} : { hint: err.hint }) });
        }
        ctx.setExitCode(code);
      },
    );

  audit
    .command('log')
    .description(
      'List the audit records of a city (.storm/audit/<city>.jsonl, or PostgreSQL when its state backend is pg)',
    )
    .argument('<city>', 'city name')
    .action(async (city: string) => {
      ctx.setCommand('audit log');
      const out = ctx.output();
      const listing = await readAuditLog(ctx.globals().cwd, city);
      out.jsonResult('audit log', 0, listing);
      out.text(renderAuditLog(listing, out.chalk));
      ctx.setExitCode(0);
    });

  audit
    .command('verify')
    .description('Verify the hash chain of a city audit log; exit 1 naming the first bad record')
    .argument('<city>', 'city name')
    .option('--anchor <hash>', 'a head published earlier (`storm audit anchor`): the log must still extend it')
    .action(async (city: string, opts: { anchor?: string }) => {
      ctx.setCommand('audit verify');
      const out = ctx.output();
      let anchor;
      if (opts.anchor !== undefined) {
        anchor = parseAnchor(opts.anchor);
        if (anchor === undefined)
          throw new StormError('usage', `--anchor ${opts.anchor} is not an audit head`, {
            hint: 'pass what `storm audit anchor` printed: <seq>:<sha256 hex> or the 64-character hash alone',
          });
      }
      const verification = await verifyAuditLog(ctx.globals().cwd, city, anchor === undefined ? {} : { anchor });
      const code = verification.ok ? 0 : 1;
      out.jsonResult('audit verify', code, verification);
      out.text(renderAuditVerification(verification, out.chalk));
      if (!verification.ok && verification.problem !== undefined && !out.options.json) {
        const p = verification.problem;
        throw new StormError(
          'audit-tampered',
          `audit log of ${city} does not verify: first bad record is seq ${p.seq ?? p.expectedSeq} (line ${p.line})`,
          {
            hint:
              p.kind === 'torn-last-line'
                ? `a write was cut short: \`storm audit repair ${city}\` moves the incomplete line aside`
                : p.kind === 'key-required'
                  ? 'set STORM_AUDIT_KEY (or STORM_AUDIT_KEY_FILE) to the key this log was written with'
                  : 'the log was edited outside storm; restore it from a backup and investigate who changed it',
          },
        );
      }
      ctx.setExitCode(code);
    });

  audit
    .command('anchor')
    .description(
      'Print the head of a city audit log, to publish (e.g. in the merge request) and check later with verify --anchor',
    )
    .argument('<city>', 'city name')
    .action(async (city: string) => {
      ctx.setCommand('audit anchor');
      const out = ctx.output();
      const anchor = await anchorAuditLog(ctx.globals().cwd, city);
      out.jsonResult('audit anchor', 0, anchor);
      out.text(renderAuditAnchor(anchor));
      ctx.setExitCode(0);
    });

  audit
    .command('repair')
    .description('Undo what a crash leaves in a city audit log (a torn last line is moved aside); refuse anything else')
    .argument('<city>', 'city name')
    .action(async (city: string) => {
      ctx.setCommand('audit repair');
      const out = ctx.output();
      const repair = await repairAuditLog(ctx.globals().cwd, city);
      for (const action of repair.actions)
        out.progress({ kind: 'warning', message: `audit log of ${city}: ${action}` });
      out.jsonResult('audit repair', 0, repair);
      out.text(renderAuditRepair(repair, out.chalk));
      ctx.setExitCode(0);
    });
};
