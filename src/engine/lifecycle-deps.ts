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
import { deployCity, objectStoreUrl, serviceUserData } from '../deploy/deploy';

export function defaultLifecycleDeps(): LifecycleDeps {
  return {
    engine: async (progress, signal) => {
      const e = await ensureEngine(progress, signal === undefined ? {} : { signal });
      return { tofuPath: e.tofuPath, cliConfigPath: e.cliConfigPath, tofuVersion: e.tofuVersion, providerVersion: e.providerVersion };
    },
    // Service instances boot with user data naming this cloud's object storage,
    // so synthesis asks the cloud where that is (only when the city has services).
    synth: async (_loaded, resolved, cwd, credentials) => {
      const services = serviceNeedsFor(resolved, cwd);
      const userData = resolved.services.length === 0 ? undefined : serviceUserData(resolved, cwd, await objectStoreUrl(credentials));
      return synthesizeResolved(resolved, { services, ...(userData === undefined ? {} : { userData }) });
    },
    sandbox: (cwd, progress) => startSandboxCredentials(cwd, progress),
    deploy: (input) => deployCity(input),
    audit: async (cwd, record) => {
      await appendAuditRecord(cwd, record);
    },
  };
}
