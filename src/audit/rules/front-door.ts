/**
 * Citizens reach a production service through its front door: over HTTPS, and through a
 * load balancer whose health monitor takes a failing instance out. Checked on the model
 * and, when the audit has them, on the synthesized configuration and the plan (a
 * listener, pool or monitor missing there means the stack does not do what the manifest says).
 */
import type { PolicyContext, PolicyRule, RuleHit } from '../policy-types';
import { PRODUCTION_ENV } from './availability';
import type { PlannedResource } from './plan-values';
import { groupField } from './rule-helpers';

const logical = (name: string): string => name.replace(/[^A-Za-z0-9_]/g, '_');

/** A service is public when the internet reaches it: its group has floating IPs, or it has a front door. */
function isPublic(ctx: PolicyContext, service: PolicyContext['city']['services'][number]): boolean {
  if (service.frontDoor !== undefined) return true;
  return ctx.city.compute.groups.some((g) => g.name === service.on && g.floatingIp);
}

export const frontDoorSecurityRules: PolicyRule[] = [
  {
    id: 'STORM-SEC-006',
    name: 'sec.production-service-without-https',
    family: 'SEC',
    scope: 'environment',
    severity: 'error',
    title: 'production services are served over HTTPS',
    hint: 'give the service tls: (a certificate and key, or a Barbican container) so its load balancer terminates HTTPS',
    check: (ctx) => {
      if (ctx.env !== PRODUCTION_ENV) return [];
      const hits: RuleHit[] = [];
      ctx.city.services.forEach((s, si) => {
        const subject = `services.${s.name}`;
        if (s.frontDoor?.tls === undefined) {
          hits.push({
            subject,
            path: s.frontDoor === undefined ? groupField(ctx, 'services', si, 'on') : ['services', si],
            message: `production service "${s.name}" is served over plain HTTP${s.frontDoor === undefined ? ' (it has no load balancer to terminate TLS)' : ''}`,
          });
        }
      });
      return hits;
    },
  },
];

export const frontDoorAvailabilityRules: PolicyRule[] = [
  {
    id: 'STORM-AVL-002',
    name: 'avl.public-service-without-health-monitor',
    family: 'AVL',
    scope: 'environment',
    severity: 'error',
    title: 'a public production service has a health monitor (behind a load balancer)',
    hint: 'put the service behind a load balancer (loadBalancer: true, or more than one instance), whose monitor takes failing instances out',
    check: (ctx) => {
      if (ctx.env !== PRODUCTION_ENV) return [];
      const hits: RuleHit[] = [];
      ctx.city.services.forEach((s, si) => {
        if (!isPublic(ctx, s)) return;
        const subject = `services.${s.name}`;
        if (s.frontDoor === undefined) {
          hits.push({
            subject,
            path: groupField(ctx, 'services', si, 'on'),
            message: `public production service "${s.name}" has no health monitor: nothing takes a failing instance out`,
          });
        }
      });
      return hits;
    },
  },
];

const WHAT = { config: 'the synthesized configuration', plan: 'the plan' } as const;

/**
 * STORM-SEC-006 on resources: a production service that asks for TLS has a TERMINATED_HTTPS
 * listener (synthesis names the service's listener after it).
 */
export function httpsListeners(
  ctx: PolicyContext,
  resources: readonly PlannedResource[],
  source: 'config' | 'plan',
): RuleHit[] {
  if (ctx.env !== PRODUCTION_ENV) return [];
  const hits: RuleHit[] = [];
  ctx.city.services.forEach((s, si) => {
    if (s.frontDoor?.tls === undefined) return;
    const https = resources.some(
      (r) =>
        r.type === 'openstack_lb_listener_v2' &&
        r.address.endsWith(`.${logical(s.name)}`) &&
        r.values.protocol === 'TERMINATED_HTTPS',
    );
    if (!https)
      hits.push({
        subject: `services.${s.name}`,
        path: groupField(ctx, 'services', si, 'tls'),
        message: `production service "${s.name}" asks for TLS but ${WHAT[source]} has no HTTPS listener for it`,
        source,
      });
  });
  return hits;
}

/** STORM-AVL-002 on resources: the pool of a production service's load balancer has a health monitor. */
export function poolMonitors(
  ctx: PolicyContext,
  resources: readonly PlannedResource[],
  source: 'config' | 'plan',
): RuleHit[] {
  if (ctx.env !== PRODUCTION_ENV) return [];
  const hits: RuleHit[] = [];
  ctx.city.services.forEach((s, si) => {
    if (s.frontDoor === undefined) return;
    // The monitor of the service's pool: synthesis names both after the service.
    const monitored = resources.some(
      (r) => r.type === 'openstack_lb_monitor_v2' && r.address.endsWith(`.${logical(s.name)}`),
    );
    if (!monitored)
      hits.push({
        subject: `services.${s.name}`,
        path: ['services', si],
        message: `public production service "${s.name}" has a load balancer but ${WHAT[source]} has no health monitor on its pool`,
        source,
      });
  });
  return hits;
}
