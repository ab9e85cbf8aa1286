/**
 * The Neutron service: routes under /networking (API under /v2.0), each
 * authenticated in Neutron's error style and run in one store transaction.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { SandboxContext, SandboxService } from '../../core/context.js';
import { neutronError } from '../../core/errors.js';
import { rawQuery } from '../../core/request.js';
import {
  createAddressScope,
  deleteAddressScope,
  listAddressScopes,
  showAddressScope,
  updateAddressScope,
} from './address-scopes.js';
import {
  listAvailabilityZones,
  listExtensions,
  resourcesDocument,
  showExtension,
  versionsDocument,
} from './discovery.js';
import {
  createFloatingIp,
  deleteFloatingIp,
  listFloatingIps,
  showFloatingIp,
  updateFloatingIp,
} from './floating-ips.js';
import { listIpAvailabilities, showIpAvailability } from './ip-availability.js';
import { type Doc, parseFields, type RawQuery, selectFields } from './list-query.js';
import { createNetwork, deleteNetwork, listNetworks, showNetwork, updateNetwork } from './networks.js';
import { createPort, deletePort, listPorts, showPort, updatePort } from './ports.js';
import { listQuotas, resetQuota, showDefaultQuota, showQuota, showQuotaDetails, updateQuota } from './quotas.js';
import { createPolicy, deletePolicy, listPolicies, showPolicy, updatePolicy } from './rbac.js';
import type { NeutronCall } from './call.js';
import {
  addRouterInterface,
  createRouter,
  deleteRouter,
  editExtraRoutes,
  listRouters,
  removeRouterInterface,
  showRouter,
  updateRouter,
} from './routers.js';
import {
  createRule,
  createSecurityGroup,
  deleteRule,
  deleteSecurityGroup,
  listRules,
  listSecurityGroups,
  showRule,
  showSecurityGroup,
  updateSecurityGroup,
} from './security-groups.js';
import { seedNetwork } from './seed.js';
import {
  createSubnetPool,
  deleteSubnetPool,
  listSubnetPools,
  showSubnetPool,
  updateSubnetPool,
} from './subnet-pools.js';
import { createSubnet, deleteSubnet, listSubnets, showSubnet, updateSubnet } from './subnets.js';
import { addTag, checkTagPresent, getTags, isTaggedCollection, removeAllTags, removeTag, replaceTags } from './tags.js';

const PREFIX = '/networking';

type Params = Record<string, string>;

interface CrudHandlers {
  /** The key of one resource in a request body (`{"network": {…}}`); the collection's name keys a bulk create. */
  singular: string;
  list(call: NeutronCall, raw: RawQuery, collectionUrl: string): Doc;
  show(call: NeutronCall, id: string): Doc;
  create(call: NeutronCall, body: unknown): Doc;
  update(call: NeutronCall, id: string, body: unknown): Doc;
  remove(call: NeutronCall, id: string): void;
}

const COLLECTIONS: Record<string, CrudHandlers> = {
  networks: {
    singular: 'network',
    list: listNetworks,
    show: showNetwork,
    create: createNetwork,
    update: updateNetwork,
    remove: deleteNetwork,
  },
  subnets: {
    singular: 'subnet',
    list: listSubnets,
    show: showSubnet,
    create: createSubnet,
    update: updateSubnet,
    remove: deleteSubnet,
  },
  ports: {
    singular: 'port',
    list: listPorts,
    show: showPort,
    create: createPort,
    update: updatePort,
    remove: deletePort,
  },
  routers: {
    singular: 'router',
    list: listRouters,
    show: showRouter,
    create: createRouter,
    update: updateRouter,
    remove: deleteRouter,
  },
  'security-groups': {
    singular: 'security_group',
    list: listSecurityGroups,
    show: showSecurityGroup,
    create: createSecurityGroup,
    update: updateSecurityGroup,
    remove: deleteSecurityGroup,
  },
  'security-group-rules': {
    singular: 'security_group_rule',
    list: listRules,
    show: showRule,
    create: createRule,
    update: () => {
      throw neutronError(400, 'HTTPBadRequest', 'Cannot update read-only attribute');
    },
    remove: deleteRule,
  },
  floatingips: {
    singular: 'floatingip',
    list: listFloatingIps,
    show: showFloatingIp,
    create: createFloatingIp,
    update: updateFloatingIp,
    remove: deleteFloatingIp,
  },
  'address-scopes': {
    singular: 'address_scope',
    list: listAddressScopes,
    show: showAddressScope,
    create: createAddressScope,
    update: updateAddressScope,
    remove: deleteAddressScope,
  },
  subnetpools: {
    singular: 'subnetpool',
    list: listSubnetPools,
    show: showSubnetPool,
    create: createSubnetPool,
    update: updateSubnetPool,
    remove: deleteSubnetPool,
  },
  'rbac-policies': {
    singular: 'rbac_policy',
    list: listPolicies,
    show: showPolicy,
    create: createPolicy,
    update: updatePolicy,
    remove: deletePolicy,
  },
};

/** The items of a bulk create (`{"networks": [{…}, {…}]}`), or undefined for a create of one. */
function bulkItems(body: unknown, collection: string, singular: string): unknown[] | undefined {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return undefined;
  const items = (body as Record<string, unknown>)[collection];
  if (!Array.isArray(items) || Object.prototype.hasOwnProperty.call(body, singular)) return undefined;
  if (items.length === 0) throw neutronError(400, 'HTTPBadRequest', 'Resources required');
  return items;
}

function resourceNotFound(): Error {
  return neutronError(404, 'HTTPNotFound', 'The resource could not be found.');
}

export function registerNetworkRoutes(app: FastifyInstance, ctx: SandboxContext): void {
  const endpointUrl = `${ctx.publicUrl}${PREFIX}`;
  /** Authenticates, then runs `fn` in one transaction (reads too: some create the default security group). */
  const run = <R>(req: FastifyRequest, fn: (call: NeutronCall) => R): R => {
    const auth = ctx.authenticate(req, 'neutron');
    return ctx.store.transaction(() => fn({ ctx, auth }));
  };
  const query = rawQuery;
  const params = (req: FastifyRequest): Params => req.params as Params;
  const noContent = (reply: FastifyReply, status: number) => reply.code(status).send();

  app.get('/', async () => versionsDocument(endpointUrl));
  app.get('/v2.0', async (req) => run(req, () => resourcesDocument(endpointUrl)));
  app.get('/v2.0/', async (req) => run(req, () => resourcesDocument(endpointUrl)));
  app.get('/v2.0/extensions', async (req) => run(req, () => listExtensions()));
  app.get('/v2.0/extensions/:alias', async (req) => run(req, () => showExtension(params(req).alias ?? '')));
  app.get('/v2.0/availability_zones', async (req) => run(req, () => listAvailabilityZones()));

  app.get('/v2.0/network-ip-availabilities', async (req) =>
    run(req, (call) => listIpAvailabilities(call, query(req), `${endpointUrl}/v2.0/network-ip-availabilities`)),
  );
  app.get('/v2.0/network-ip-availabilities/:id', async (req) =>
    run(req, (call) => showIpAvailability(call, params(req).id ?? '')),
  );
  app.get('/v2.0/quotas', async (req) => run(req, (call) => listQuotas(call)));
  app.get('/v2.0/quotas/:project/default', async (req) =>
    run(req, (call) => showDefaultQuota(call, params(req).project ?? '')),
  );
  app.get('/v2.0/quotas/:project/details', async (req) =>
    run(req, (call) => showQuotaDetails(call, params(req).project ?? '')),
  );
  app.get('/v2.0/quotas/:project', async (req) => run(req, (call) => showQuota(call, params(req).project ?? '')));
  app.put('/v2.0/quotas/:project', async (req) =>
    run(req, (call) => updateQuota(call, params(req).project ?? '', req.body)),
  );
  app.delete('/v2.0/quotas/:project', async (req, reply) => {
    run(req, (call) => resetQuota(call, params(req).project ?? ''));
    return noContent(reply, 204);
  });

  app.put('/v2.0/routers/:id/add_router_interface', async (req) =>
    run(req, (call) => addRouterInterface(call, params(req).id ?? '', req.body)),
  );
  app.put('/v2.0/routers/:id/add_extraroutes', async (req) =>
    run(req, (call) => editExtraRoutes(call, params(req).id ?? '', req.body, 'add')),
  );
  app.put('/v2.0/routers/:id/remove_extraroutes', async (req) =>
    run(req, (call) => editExtraRoutes(call, params(req).id ?? '', req.body, 'remove')),
  );
  app.put('/v2.0/routers/:id/remove_router_interface', async (req) =>
    run(req, (call) => removeRouterInterface(call, params(req).id ?? '', req.body)),
  );

  const tagged = (req: FastifyRequest) => {
    const { collection = '', id = '' } = params(req);
    if (!isTaggedCollection(collection)) throw resourceNotFound();
    return { collection, id };
  };
  app.get('/v2.0/:collection/:id/tags', async (req) =>
    run(req, (call) => {
      const t = tagged(req);
      return getTags(call, t.collection, t.id);
    }),
  );
  app.put('/v2.0/:collection/:id/tags', async (req) =>
    run(req, (call) => {
      const t = tagged(req);
      return replaceTags(call, t.collection, t.id, req.body);
    }),
  );
  app.delete('/v2.0/:collection/:id/tags', async (req, reply) => {
    run(req, (call) => {
      const t = tagged(req);
      removeAllTags(call, t.collection, t.id);
    });
    return noContent(reply, 204);
  });
  app.get('/v2.0/:collection/:id/tags/:tag', async (req, reply) => {
    run(req, (call) => {
      const t = tagged(req);
      checkTagPresent(call, t.collection, t.id, params(req).tag ?? '');
    });
    return noContent(reply, 204);
  });
  app.put('/v2.0/:collection/:id/tags/:tag', async (req, reply) => {
    run(req, (call) => {
      const t = tagged(req);
      addTag(call, t.collection, t.id, params(req).tag ?? '');
    });
    return noContent(reply, 201);
  });
  app.delete('/v2.0/:collection/:id/tags/:tag', async (req, reply) => {
    run(req, (call) => {
      const t = tagged(req);
      removeTag(call, t.collection, t.id, params(req).tag ?? '');
    });
    return noContent(reply, 204);
  });

  const handlers = (req: FastifyRequest): CrudHandlers => {
    const name = (params(req).collection ?? '').replace(/\.json$/, '');
    const h = COLLECTIONS[name];
    if (!h) throw resourceNotFound();
    return h;
  };
  const stripJson = (id: string | undefined) => (id ?? '').replace(/\.json$/, '');
  app.get('/v2.0/:collection', async (req) => {
    const collection = (params(req).collection ?? '').replace(/\.json$/, '');
    return run(req, (call) => handlers(req).list(call, query(req), `${endpointUrl}/v2.0/${collection}`));
  });
  app.post('/v2.0/:collection', async (req, reply) => {
    const collection = (params(req).collection ?? '').replace(/\.json$/, '');
    const body = run(req, (call) => {
      const h = handlers(req);
      const bulk = bulkItems(req.body, collection, h.singular);
      if (bulk === undefined) return h.create(call, req.body);
      // A bulk create is one transaction (run's): any refused item rolls back the ones before it, as Neutron's
      // native bulk does.
      return { [collection]: bulk.map((item) => h.create(call, { [h.singular]: item })[h.singular]) };
    });
    return reply.code(201).send(body);
  });
  app.get('/v2.0/:collection/:id', async (req) =>
    run(req, (call) => {
      const h = handlers(req);
      const shown = h.show(call, stripJson(params(req).id));
      return { [h.singular]: selectFields(shown[h.singular] as Doc, parseFields(query(req))) };
    }),
  );
  /** `If-Match: revision_number=N` (the revision-if-match extension): 412 when the resource moved on. */
  const checkRevision = (req: FastifyRequest, call: NeutronCall, h: CrudHandlers, id: string): void => {
    const header = req.headers['if-match'];
    const text = Array.isArray(header) ? header.join(',') : header;
    if (text === undefined) return;
    const expected = /revision_number=(\d+)/.exec(text)?.[1];
    if (expected === undefined) return;
    const shown = Object.values(h.show(call, id))[0] as { revision_number?: number } | undefined;
    const current = shown?.revision_number;
    if (current !== undefined && current !== Number(expected)) {
      throw neutronError(
        412,
        'RevisionNumberConstraintFailed',
        `Constrained to ${expected}, but current revision is ${current}`,
      );
    }
  };
  app.put('/v2.0/:collection/:id', async (req) =>
    run(req, (call) => {
      const h = handlers(req);
      const id = stripJson(params(req).id);
      checkRevision(req, call, h, id);
      return h.update(call, id, req.body);
    }),
  );
  app.delete('/v2.0/:collection/:id', async (req, reply) => {
    run(req, (call) => {
      const h = handlers(req);
      const id = stripJson(params(req).id);
      checkRevision(req, call, h, id);
      h.remove(call, id);
    });
    return noContent(reply, 204);
  });
  app.all('/v2.0/*', async (req) => {
    ctx.authenticate(req, 'neutron');
    throw resourceNotFound();
  });
}

export const networkService: SandboxService = {
  type: 'network',
  name: 'neutron',
  prefix: PREFIX,
  endpointPath: () => PREFIX,
  register: registerNetworkRoutes,
  seed: seedNetwork,
};
