/**
 * Octavia's answers: each entity's stored fields without the private ones, its
 * statuses as state.ts derives them, and the links to parents and children
 * (`[{"id": …}]`) computed from what exists now, so a deleted child never lingers.
 */
import type { SandboxContext } from '../../core/context.js';
import {
  type AnyEntity,
  type EntityKind,
  type HealthMonitorDoc,
  KIND,
  type L7PolicyDoc,
  type ListenerDoc,
  type LoadBalancerDoc,
  type MemberDoc,
  type PoolDoc,
} from './model.js';
import { childrenOf, operatingStatus, shownProvisioningStatus } from './state.js';

export type View = Record<string, unknown>;

const ids = (docs: { id: string }[]): { id: string }[] => docs.map((d) => ({ id: d.id }));

function base(ctx: SandboxContext, kind: EntityKind, doc: AnyEntity): View {
  const out: View = {};
  for (const [k, v] of Object.entries(doc)) if (!k.startsWith('_')) out[k] = v;
  out.tenant_id = doc.project_id;
  out.operating_status = operatingStatus(ctx, kind, doc);
  return out;
}

export function loadBalancerView(ctx: SandboxContext, lb: LoadBalancerDoc): View {
  return {
    ...base(ctx, 'loadbalancer', lb),
    provisioning_status: shownProvisioningStatus(ctx, lb),
    listeners: ids(childrenOf(ctx, 'listener', lb.id)),
    pools: ids(childrenOf(ctx, 'pool', lb.id)),
  };
}

export function listenerView(ctx: SandboxContext, l: ListenerDoc): View {
  return {
    ...base(ctx, 'listener', l),
    loadbalancers: [{ id: l._lb }],
    l7policies: ids(
      ctx.store
        .list<L7PolicyDoc>(KIND.l7policy)
        .filter((p) => p.listener_id === l.id)
        .sort((a, b) => a.position - b.position),
    ),
    tls_ciphers: null,
    tls_versions: null,
    alpn_protocols: null,
  };
}

export function poolView(ctx: SandboxContext, p: PoolDoc): View {
  const monitor = ctx.store.list<HealthMonitorDoc>(KIND.healthmonitor).find((m) => m.pool_id === p.id);
  return {
    ...base(ctx, 'pool', p),
    loadbalancers: [{ id: p._lb }],
    listeners: ids(ctx.store.list<ListenerDoc>(KIND.listener).filter((l) => l.default_pool_id === p.id)),
    members: ids(ctx.store.list<MemberDoc>(KIND.member).filter((m) => m.pool_id === p.id)),
    healthmonitor_id: monitor?.id ?? null,
    tls_ciphers: null,
    tls_versions: null,
    alpn_protocols: null,
  };
}

export function memberView(ctx: SandboxContext, m: MemberDoc): View {
  const out = base(ctx, 'member', m);
  delete out.pool_id;
  return out;
}

export function healthMonitorView(ctx: SandboxContext, m: HealthMonitorDoc): View {
  const out = base(ctx, 'healthmonitor', m);
  delete out.pool_id;
  return { ...out, pools: [{ id: m.pool_id }] };
}

/** GET /loadbalancers/{id}/status: the tree of statuses under listeners (pools reached through a listener). */
export function statusTree(ctx: SandboxContext, lb: LoadBalancerDoc): View {
  const pools = childrenOf<PoolDoc>(ctx, 'pool', lb.id);
  const poolStatus = (p: PoolDoc): View => {
    const monitor = ctx.store.list<HealthMonitorDoc>(KIND.healthmonitor).find((m) => m.pool_id === p.id);
    return {
      id: p.id,
      name: p.name,
      provisioning_status: p.provisioning_status,
      operating_status: operatingStatus(ctx, 'pool', p),
      ...(monitor === undefined
        ? {}
        : {
            health_monitor: {
              id: monitor.id,
              name: monitor.name,
              type: monitor.type,
              provisioning_status: monitor.provisioning_status,
              operating_status: operatingStatus(ctx, 'healthmonitor', monitor),
            },
          }),
      members: ctx.store
        .list<MemberDoc>(KIND.member)
        .filter((m) => m.pool_id === p.id)
        .map((m) => ({
          id: m.id,
          name: m.name,
          address: m.address,
          protocol_port: m.protocol_port,
          provisioning_status: m.provisioning_status,
          operating_status: operatingStatus(ctx, 'member', m),
        })),
    };
  };
  return {
    statuses: {
      loadbalancer: {
        id: lb.id,
        name: lb.name,
        provisioning_status: shownProvisioningStatus(ctx, lb),
        operating_status: operatingStatus(ctx, 'loadbalancer', lb),
        listeners: childrenOf<ListenerDoc>(ctx, 'listener', lb.id).map((l) => ({
          id: l.id,
          name: l.name,
          provisioning_status: l.provisioning_status,
          operating_status: operatingStatus(ctx, 'listener', l),
          pools: pools.filter((p) => p.id === l.default_pool_id).map(poolStatus),
        })),
      },
    },
  };
}
