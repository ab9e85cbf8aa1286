/**
 * Wires the lifecycle to the real collaborators: the bootstrapped engine, the
 * in-process synthesis, storm's sandbox, the service deploy step and the audit
 * log. Tests use these same functions; nothing here is a stand-in.
 */
import { appendAuditRecord } from '../audit/audit-log';
import { ensureEngine } from './bootstrap';
import type { LifecycleDeps } from './lifecycle';
import { startSandboxCredentials } from '../cloud/sandbox-target';
import { serviceNeedsFor, synthesizeResolved } from '../synth/synth-city';

export function defaultLifecycleDeps(): LifecycleDeps {
  return {
    engine: async (progress, signal) => {
      const e = await ensureEngine(progress, signal === undefined ? {} : { signal });
      return { tofuPath: e.tofuPath, cliConfigPath: e.cliConfigPath, tofuVersion: e.tofuVersion, providerVersion: e.providerVersion };
    },
    synth: (_loaded, resolved, cwd) => Promise.resolve(synthesizeResolved(resolved, { services: serviceNeedsFor(resolved, cwd) })),
    sandbox: (cwd, progress) => startSandboxCredentials(cwd, progress),
    // The services issue fills src/deploy/ with deployServices; until it lands the
    // lifecycle says so instead of pretending to deploy.
    deploy: (input) =>
      Promise.resolve({
        status: 'nothing-to-deploy' as const,
        services: [],
        message: input.city.services.length === 0 ? 'nothing to deploy (the manifest names no services)' : `nothing to deploy yet: service deployment (${input.city.services.map((s) => s.name).join(', ')}) is not part of this storm build`,
      }),
    audit: async (cwd, record) => {
      await appendAuditRecord(cwd, record);
    },
  };
}
