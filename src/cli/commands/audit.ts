import type { CommandModule } from '../context';
import { readAuditLog, verifyAuditLog } from '../../audit/audit-log';
import { StormError } from '../../errors';
import { renderAuditLog, renderAuditVerification } from '../../report/audit-log';

export const auditCommand: CommandModule = (program, ctx) => {
  const audit = program
    .command('audit')
    .description('Check a city against the policy rules; list and verify its tamper-evident audit log')
    .addHelpText(
      'after',
      `
Examples:
  $ storm audit log valladolid           # every plan, provision and destroy recorded for valladolid
  $ storm audit verify valladolid        # exit 1 naming the first edited, removed, inserted or reordered record`,
    );

  audit
    .command('log')
    .description('List the audit records of a city (.storm/audit/<city>.jsonl)')
    .argument('<city>', 'city name')
    .action((city: string) => {
      ctx.setCommand('audit log');
      const out = ctx.output();
      const listing = readAuditLog(ctx.globals().cwd, city);
      out.jsonResult('audit log', 0, listing);
      out.text(renderAuditLog(listing, out.chalk));
      ctx.setExitCode(0);
    });

  audit
    .command('verify')
    .description('Verify the hash chain of a city audit log; exit 1 naming the first bad record')
    .argument('<city>', 'city name')
    .action((city: string) => {
      ctx.setCommand('audit verify');
      const out = ctx.output();
      const verification = verifyAuditLog(ctx.globals().cwd, city);
      const code = verification.ok ? 0 : 1;
      out.jsonResult('audit verify', code, verification);
      out.text(renderAuditVerification(verification, out.chalk));
      if (!verification.ok && verification.problem !== undefined && !out.options.json) {
        const p = verification.problem;
        throw new StormError('audit-tampered', `audit log of ${city} does not verify: first bad record is seq ${p.seq ?? p.expectedSeq} (line ${p.line})`, { hint: 'the log was edited outside storm; restore it from a backup and investigate who changed it' });
      }
      ctx.setExitCode(code);
    });
};
