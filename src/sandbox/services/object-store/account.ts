/** The Swift account: its listing of containers (GET/HEAD) and its metadata (POST). */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { pathParam } from '../../core/request';
import { K, listingTime, metaFrom } from './model';
import type { SwiftApi } from './swift';

export function registerAccountRoutes(app: FastifyInstance, api: SwiftApi): void {
  const { store, authorize, checkAccountName, ensureAccount, accountHeaders, sendListing, page } = api;
  const accountGet = async (req: FastifyRequest, reply: FastifyReply): Promise<FastifyReply> => {
    const account = pathParam(req, 'account');
    checkAccountName(account);
    authorize(req, account, 'owner');
    const containers = accountHeaders(reply, account);
    const listed = page(containers, (c) => c.name, req);
    const names = listed.map((x) => ('subdir' in x ? x.subdir : x.name));
    const json = listed.map((x) =>
      'subdir' in x
        ? x
        : { name: x.name, count: x.objectCount, bytes: x.bytesUsed, last_modified: listingTime(x.lastModified) },
    );
    return sendListing(req, reply, names, json, { kind: 'account', name: account });
  };
  // Swift routes `/v1/AUTH_x/` (as swiftclient and Tempest send it) to the account, as it does `/v1/AUTH_x`.
  for (const url of ['/v1/:account', '/v1/:account/']) {
    app.head(url, accountGet);
    app.get(url, accountGet);
  }
  app.post('/v1/:account', async (req, reply) => {
    const account = pathParam(req, 'account');
    checkAccountName(account);
    authorize(req, account, 'owner');
    const { set, remove } = metaFrom(req, 'account');
    store.transaction(() => {
      const acct = ensureAccount(account);
      const meta = { ...acct.meta, ...set };
      for (const k of remove) delete meta[k];
      store.update(K.account, { ...acct, meta });
    });
    return reply.code(204).header('content-type', 'text/html; charset=UTF-8').send();
  });
}
