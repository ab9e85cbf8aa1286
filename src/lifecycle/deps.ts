/**
 * Wires the lifecycle to the real collaborators: the bootstrapped engine, the
 * in-process synthesis, storm's sandbox, the service deploy step and the audit
 * log. Tests use these same functions; nothing here is a stand-in.
 */
import { appendAuditRecord, assertAuditLogAppendable } from '../audit/audit-log';
import { applyPlanFile } from '../engine/apply';
import { ensureEngine } from '../engine/bootstrap';
import { ensureInit, planOnly, planToFile, readState, showPlan, writeWorkspace } from '../engine/plan';
import { adoptInterruptedCreates } from './adoption';
import type { LifecycleDeps } from './context';
import { sandboxCredentials } from '../cloud/sandbox-target';
import { ensureSandbox } from '../sandbox/control';
import { serviceNeedsFor, synthesizeResolved } from '../synth/synth-city';
import { withdrawCity } from '../deploy/withdraw';
import { deployCity, objectStoreUrl, serviceUserData } from '../deploy/deploy';
import { type HealthTarget, waitForHealthy } from '../deploy/health-check';

export function defaultLifecycleDeps(): LifecycleDeps {
  return {
    engine: async (progress, signal) => {
      const e = await ensureEngine(progress, signal === undefined ? {} : { signal });
      return {
        tofuPath: e.tofuPath,
        cliConfigPath: e.cliConfigPath,
        tofuVersion: e.tofuVersion,
        providerVersion: e.providerVersion,
      };
    },
    tofu: {
      writeWorkspace,
      ensureInit,
      readState,
      planOnly,
      planToFile,
      showPlan,
      applyPlanFile,
      adoptInterruptedCreates,
    },
    // Service instances boot with user data naming this cloud's object storage,
    // so synthesis asks the cloud where that is (only when the city has services).
    synth: async (_loaded, resolved, cwd, credentials) => {
      const services = serviceNeedsFor(resolved, cwd);
      const userData =
        resolved.services.length === 0 ? undefined : serviceUserData(resolved, cwd, await objectStoreUrl(credentials));
      return synthesizeResolved(resolved, {
        services,
        ...(userData === undefined ? {} : { userData }),
        ...(credentials.insecure === true ? { insecure: true } : {}),
      });
    },
    // Starts the project's sandbox when it is not running (state in <project>/.storm/sandbox/).
    sandbox: async (cwd, progress) => {
      const info = await ensureSandbox({ cwd, progress });
      return sandboxCredentials(info.url, info.authUrl, info.logins.admin, info.cacert);
    },
    deploy: (input) => deployCity(input),
    withdraw: async (input) => {
      await withdrawCity(input);
    },
    audit: async (cwd, record) => {
      await appendAuditRecord(cwd, record);
    },
    auditReady: (cwd, city) => assertAuditLogAppendable(cwd, city),
    serviceHealth: async (outputs) => {
      const results = await waitForHealthy(healthTargetsOf(outputs), { timeoutMs: 0, requestTimeoutMs: 3000 });
      return results.map(({ target, outcome }) => ({
        service: target.service,
        url: target.url,
        healthy: outcome.kind === 'healthy',
        detail:
          outcome.kind === 'healthy' || outcome.kind === 'wrong-version'
            ? `version ${outcome.version}`
            : outcome.kind === 'unhealthy'
              ? `HTTP ${outcome.httpStatus}: ${outcome.said}`
              : `unreachable: ${outcome.error}`,
      }));
    },
  };
}

/** The `services` output synthesis writes: { <service>: { urls, health_check } }. */
function healthTargetsOf(outputs: Record<string, unknown>): HealthTarget[] {
  const services = outputs.services;
  if (typeof services !== 'object' || services === null) return [];
  return Object.entries(services as Record<string, unknown>).flatMap(([service, v]) => {
    const entry = (typeof v === 'object' && v !== null ? v : {}) as { urls?: unknown; health_check?: unknown };
    const urls = Array.isArray(entry.urls) ? entry.urls.filter((u): u is string => typeof u === 'string') : [];
    const healthCheck = typeof entry.health_check === 'string' ? entry.health_check : '/healthz';
    return urls.map((url) => ({ service, instance: url, url, healthCheck }));
  });
}
