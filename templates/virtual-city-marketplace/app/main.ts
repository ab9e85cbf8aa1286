/**
 * virtual-city-marketplace: local businesses list services; citizens browse by
 * category and area and send requests; a business opens its inbox with the
 * key it received when listing, and answers.
 */
import * as path from 'node:path';
import type { RuntimeEnvironment } from '../../_runtime/config';
import { ensureSecretFile, signSession, verifySession } from '../../_runtime/signing';
import { storageCheck } from '../../_runtime/health';
import {
  HttpError,
  type RequestContext,
  type Router,
  cookie,
  field,
  redirect,
  sendHtml,
  sendJson,
} from '../../_runtime/http';
import { LANGUAGE_NAMES, type Translate, offeredLanguages, translator } from '../../_runtime/i18n';
import { type SafeHtml, html, layout, raw } from '../../_runtime/html';
import { type ServiceApp, requestLanguage, runService } from '../../_runtime/server';
import { JsonStore, readSeed } from '../../_runtime/store';
import {
  type Listing,
  type MarketData,
  type ServiceRequest,
  inboxRequest,
  keyMatches,
  listingFromBody,
  publicListing,
  pruneRequests,
  requestFromBody,
  searchListings,
} from './market';
import { CATEGORY_NAMES, MESSAGES, type MessageKey, SHIPPED_LANGUAGES } from './messages';
import { readParameters } from './params';

export const SERVICE = 'virtual-city-marketplace';

function bearer(ctx: RequestContext): string | undefined {
  const m = /^Bearer\s+(\S+)$/i.exec(ctx.req.headers.authorization ?? '');
  return m?.[1];
}

export function setup(env: RuntimeEnvironment, router: Router): ServiceApp {
  const params = readParameters(env.config);
  const dataFile = path.join(env.dataDir, 'market.json');
  const store = new JsonStore<MarketData>(dataFile, () =>
    readSeed<MarketData>(path.join(env.artifactRoot, 'seed'), 'market.json'),
  );
  const offered = offeredLanguages(env.config.languages, SHIPPED_LANGUAGES);
  // A business that opened its inbox keeps a signed 30-day session for that listing
  // (HttpOnly, scoped to /services/<id>), never its key.
  const signingKey = ensureSecretFile(env.config.signingKeyFile, 'signing key');
  const INBOX_SESSION = 'marketplace-inbox-v1';
  const INBOX_SESSION_MS = 30 * 86400 * 1000;
  const inboxCookie = (ctx: RequestContext, listingId: string): string =>
    cookie('biz', signSession(signingKey, INBOX_SESSION, listingId, Date.now() + INBOX_SESSION_MS), {
      maxAgeSeconds: INBOX_SESSION_MS / 1000,
      httpOnly: true,
      secure: ctx.secure,
      sameSite: 'Strict',
      path: `/services/${listingId}`,
    });
  const hasInbox = (ctx: RequestContext, l: Listing): boolean =>
    verifySession(signingKey, INBOX_SESSION, ctx.cookies.biz, Date.now()) === l.id;
  const prune = (): void => {
    if (store.read().requests.length > 0)
      store.update((d) => pruneRequests(d, params.requestRetentionDays, new Date()));
  };
  prune();
  setInterval(prune, 6 * 3600 * 1000).unref();

  const i18n = (ctx: RequestContext): { lang: string; t: Translate<MessageKey> } => {
    const lang = requestLanguage(ctx, offered);
    return { lang, t: translator(MESSAGES, lang) };
  };
  const categoryName = (lang: string, c: string): string => CATEGORY_NAMES[lang]?.[c] ?? c;
  const priceText = (lang: string, t: Translate<MessageKey>, l: Listing): string =>
    l.price === undefined
      ? t('onRequest')
      : new Intl.NumberFormat(lang, { style: 'currency', currency: params.currency }).format(l.price);
  /** A refused form field, named by its label in the visitor's language (the API's message is English). */
  const formError = (t: Translate<MessageKey>, err: HttpError): string => {
    const labels: Record<string, MessageKey> = {
      business: 'business',
      title: 'title',
      category: 'category',
      area: 'area',
      price: 'price',
      description: 'description',
      contactEmail: 'contactEmail',
      name: 'yourName',
      email: 'yourEmail',
      message: 'message',
    };
    const key = labels[String(err.details?.field ?? '')];
    return key === undefined ? t('checkForm') : t('checkField', { field: t(key) });
  };
  const find = (id: string | undefined): Listing => {
    const l = store.read().listings.find((x) => x.id === id);
    if (l === undefined) throw new HttpError(404, 'service not found');
    return l;
  };
  const render = (
    ctx: RequestContext,
    title: string,
    body: SafeHtml,
    status = 200,
    headers: Record<string, string> = {},
  ): void => {
    const { lang, t } = i18n(ctx);
    sendHtml(ctx.res, status, pageHtml(lang, t, ctx.url, title, body), headers);
  };
  const pageHtml = (lang: string, t: Translate<MessageKey>, url: URL, title: string, body: SafeHtml): string =>
    layout({
      lang,
      search: url.search,
      languages: offered.map((code) => ({ code, name: LANGUAGE_NAMES[code] ?? code })),
      title,
      siteName: t('siteName'),
      cityName: env.config.city.displayName,
      nav: [
        { href: '/', label: t('browse'), current: url.pathname === '/' },
        { href: '/publish', label: t('publish'), current: url.pathname === '/publish' },
      ],
      body,
      footer: t('footer', { city: env.config.city.displayName, version: env.config.version }),
      labels: { skipToContent: t('skipToContent'), language: t('language'), mainNavigation: t('mainNavigation') },
    });
  const options = (values: readonly string[], label: (v: string) => string, current: string | undefined): SafeHtml[] =>
    values.map((v) => html`<option value="${v}" ${v === current ? raw(' selected') : ''}>${label(v)}</option>`);
  const query = (ctx: RequestContext) => ({
    q: ctx.url.searchParams.get('q') ?? undefined,
    category: ctx.url.searchParams.get('category') ?? undefined,
    area: ctx.url.searchParams.get('area') ?? undefined,
  });

  router.get('/', (ctx) => {
    const { lang, t } = i18n(ctx);
    const q = query(ctx);
    const found = searchListings(store.read().listings, q);
    render(
      ctx,
      t('browse'),
      html` <form class="filters" method="get" action="/" role="search" aria-label="${t('search')}">
          <div>
            <label for="f-q">${t('keywords')}</label><input id="f-q" name="q" type="search" value="${q.q ?? ''}" />
          </div>
          <div>
            <label for="f-category">${t('category')}</label
            ><select id="f-category" name="category">
              <option value="">${t('any')}</option>
              ${options(params.categories, (c) => categoryName(lang, c), q.category)}
            </select>
          </div>
          <div>
            <label for="f-area">${t('area')}</label
            ><select id="f-area" name="area">
              <option value="">${t('any')}</option>
              ${options(params.areas, (a) => a, q.area)}
            </select>
          </div>
          <button type="submit">${t('search')}</button>
        </form>
        <p role="status">${found.length === 1 ? t('resultCountOne') : t('resultCount', { count: found.length })}</p>
        ${found.length === 0 ? html`<p>${t('noResults')}</p>` : ''}
        <ul class="cards">
          ${found.map(
            (l) =>
              html`<li>
                <h2><a href="/services/${l.id}">${l.title}</a></h2>
                <p class="meta">${l.business} · ${categoryName(lang, l.category)} · ${l.area}</p>
                <p><strong>${priceText(lang, t, l)}</strong></p>
              </li>`,
          )}
        </ul>`,
    );
  });

  /** A service and the request form; after a refused request, the form again with what was wrong. */
  const servicePage = (ctx: RequestContext, l: Listing, error?: string, status = 200): void => {
    const { lang, t } = i18n(ctx);
    render(
      ctx,
      l.title,
      html`<p><a href="/">← ${t('backToList')}</a></p>
        <dl class="facts">
          <dt>${t('business')}</dt>
          <dd>${l.business}</dd>
          <dt>${t('category')}</dt>
          <dd>${categoryName(lang, l.category)}</dd>
          <dt>${t('area')}</dt>
          <dd>${l.area}</dd>
          <dt>${t('price')}</dt>
          <dd>${priceText(lang, t, l)}</dd>
        </dl>
        <p>${l.description}</p>
        <section aria-labelledby="h-request">
          <h2 id="h-request">${t('sendRequest')}</h2>
          ${error === undefined ? '' : html`<p class="error" role="alert">${error}</p>`}
          <form method="post" action="/services/${l.id}/requests">
            <div class="field">
              <label for="r-name">${t('yourName')}</label
              ><input id="r-name" name="name" required maxlength="120" autocomplete="name" />
            </div>
            <div class="field">
              <label for="r-email">${t('yourEmail')}</label
              ><input id="r-email" name="email" type="email" required maxlength="254" autocomplete="email" />
            </div>
            <div class="field">
              <label for="r-message">${t('message')}</label
              ><textarea id="r-message" name="message" required maxlength="2000"></textarea>
            </div>
            <p class="meta">${t('privacy', { days: params.requestRetentionDays })}</p>
            <button type="submit">${t('send')}</button>
          </form>
        </section>
        <p class="meta"><a href="/services/${l.id}/inbox">${t('inbox')}</a></p>`,
      status,
    );
  };
  router.get('/services/:id', (ctx) => servicePage(ctx, find(ctx.params.id)));

  router.post('/services/:id/requests', async (ctx) => {
    const l = find(ctx.params.id);
    const body = await ctx.body();
    let made: ReturnType<typeof requestFromBody>;
    try {
      made = requestFromBody(body, l.id, new Date());
    } catch (err) {
      if (err instanceof HttpError && err.status === 400) return servicePage(ctx, l, formError(i18n(ctx).t, err), 400);
      throw err;
    }
    const { request, followUp } = made;
    store.update((d) => d.requests.push(request));
    redirect(ctx.res, `/requests/${request.id}?t=${encodeURIComponent(followUp)}&sent=1`);
  });

  const followUpRequest = (rid: string | undefined, token: string | undefined): ServiceRequest => {
    const r = store.read().requests.find((x) => x.id === rid);
    // The same answer for a wrong token and an unknown id: ids are not secrets, tokens are.
    if (r === undefined || !keyMatches(token, r.followUpHash)) throw new HttpError(404, 'request not found');
    return r;
  };

  router.get('/requests/:rid', (ctx) => {
    const { lang, t } = i18n(ctx);
    const token = ctx.url.searchParams.get('t') ?? undefined;
    const r = followUpRequest(ctx.params.rid, token);
    const l = find(r.listingId);
    const link = `/requests/${r.id}?t=${encodeURIComponent(token ?? '')}`;
    render(
      ctx,
      `${t('yourRequest')}: ${l.title}`,
      html`${
          ctx.url.searchParams.get('sent') === '1'
            ? html`<p class="notice" role="status">${t('requestSent')}</p>
                <p>${t('followUpHelp')} <a href="${link}">${t('followUp')}</a></p>`
            : ''
        }
        <dl class="facts">
          <dt>${t('business')}</dt>
          <dd><a href="/services/${l.id}">${l.business}</a></dd>
          <dt>${t('receivedOn')}</dt>
          <dd>
            <time datetime="${r.createdAt}">${new Date(r.createdAt).toLocaleString(lang, { timeZone: 'UTC' })}</time>
          </dd>
        </dl>
        <p>${r.message}</p>
        <h2>${t('answer')}</h2>
        ${r.answer === undefined ? html`<p>${t('notAnswered')}</p>` : html`<p><span class="badge">${t('answered')}</span> ${r.answer}</p>`}`,
      200,
      { 'Referrer-Policy': 'no-referrer' },
    );
  });

  const publishForm = (lang: string, t: Translate<MessageKey>, error?: string): SafeHtml =>
    html` ${error === undefined ? '' : html`<p class="error" role="alert">${error}</p>`}
      <form method="post" action="/publish">
        <div class="field">
          <label for="p-business">${t('business')}</label
          ><input id="p-business" name="business" required maxlength="120" autocomplete="organization" />
        </div>
        <div class="field">
          <label for="p-title">${t('title')}</label><input id="p-title" name="title" required maxlength="120" />
        </div>
        <div class="field">
          <label for="p-category">${t('category')}</label
          ><select id="p-category" name="category" required>
            ${options(params.categories, (c) => categoryName(lang, c), undefined)}
          </select>
        </div>
        <div class="field">
          <label for="p-area">${t('area')}</label
          ><select id="p-area" name="area" required>
            ${options(params.areas, (a) => a, undefined)}
          </select>
        </div>
        <div class="field">
          <label for="p-price">${t('price')} (${params.currency})</label
          ><input id="p-price" name="price" inputmode="decimal" placeholder="${t('onRequest')}" />
        </div>
        <div class="field">
          <label for="p-description">${t('description')}</label
          ><textarea id="p-description" name="description" required maxlength="2000"></textarea>
        </div>
        <div class="field">
          <label for="p-email">${t('contactEmail')}</label
          ><input
            id="p-email"
            name="contactEmail"
            type="email"
            required
            aria-describedby="p-email-help"
            autocomplete="email"
          />
          <p id="p-email-help" class="meta">${t('contactEmailHelp')}</p>
        </div>
        <button type="submit">${t('publishButton')}</button>
      </form>`;

  router.get('/publish', (ctx) => {
    const { lang, t } = i18n(ctx);
    render(ctx, t('publish'), publishForm(lang, t));
  });
  router.post('/publish', async (ctx) => {
    const { lang, t } = i18n(ctx);
    const body = await ctx.body();
    let created: { listing: Listing; key: string };
    try {
      created = listingFromBody(body, params.categories, params.areas, new Date());
    } catch (err) {
      if (err instanceof HttpError && err.status === 400)
        return render(ctx, t('publish'), publishForm(lang, t, formError(t, err)), 400);
      throw err;
    }
    store.update((d) => d.listings.push(created.listing));
    const id = created.listing.id;
    render(
      ctx,
      t('published'),
      html`<p class="notice" role="status">${t('published')} <a href="/services/${id}">${created.listing.title}</a></p>
        <p>${t('keyWarning')}</p>
        <p><strong>${t('yourKey')}:</strong> <code id="business-key">${created.key}</code></p>
        <p><a href="/services/${id}/inbox">${t('openInbox')}</a></p>`,
      201,
      {
        'Set-Cookie': inboxCookie(ctx, id),
      },
    );
  });

  router.get('/services/:id/inbox', (ctx) => {
    const { lang, t } = i18n(ctx);
    const l = find(ctx.params.id);
    if (!hasInbox(ctx, l)) {
      const wrong = ctx.url.searchParams.get('wrong') === '1';
      return render(
        ctx,
        `${t('inbox')}: ${l.title}`,
        html`${wrong ? html`<p class="error" role="alert">${t('wrongKey')}</p>` : ''}
          <p>${t('inboxLogin')}</p>
          <form method="post" action="/services/${l.id}/inbox">
            <div class="field">
              <label for="k">${t('businessKey')}</label><input id="k" name="key" required autocomplete="off" />
            </div>
            <button type="submit">${t('open')}</button>
          </form>`,
        wrong ? 401 : 200,
      );
    }
    const requests = store
      .read()
      .requests.filter((r) => r.listingId === l.id)
      .sort((a, b) => b.createdAt.localeCompare(a.createdAt));
    render(
      ctx,
      `${t('inbox')}: ${l.title}`,
      html`${requests.length === 0 ? html`<p>${t('noRequests')}</p>` : ''}
        <ul class="cards">
          ${requests.map(
            (r) =>
              html`<li>
                <h2>${r.name} &lt;<a href="mailto:${r.email}">${r.email}</a>&gt;</h2>
                <p class="meta">
                  ${t('receivedOn')}
                  <time datetime="${r.createdAt}"
                    >${new Date(r.createdAt).toLocaleString(lang, { timeZone: 'UTC' })}</time
                  >
                </p>
                <p>${r.message}</p>
                ${
                  r.answer === undefined
                    ? html`<form method="post" action="/services/${l.id}/requests/${r.id}/answer">
                        <div class="field">
                          <label for="a-${r.id}">${t('answer')}</label
                          ><textarea id="a-${r.id}" name="answer" required maxlength="2000"></textarea>
                        </div>
                        <button type="submit">${t('answerButton')}</button>
                      </form>`
                    : html`<p><span class="badge">${t('answered')}</span> ${r.answer}</p>`
                }
              </li>`,
          )}
        </ul>`,
    );
  });
  router.post('/services/:id/inbox', async (ctx) => {
    const l = find(ctx.params.id);
    const key = field(await ctx.body(), 'key', { required: false, max: 200 });
    if (!keyMatches(key, l.keyHash)) return redirect(ctx.res, `/services/${l.id}/inbox?wrong=1`);
    redirect(ctx.res, `/services/${l.id}/inbox`, {
      'Set-Cookie': inboxCookie(ctx, l.id),
    });
  });
  router.post('/services/:id/requests/:rid/answer', async (ctx) => {
    const l = find(ctx.params.id);
    if (!hasInbox(ctx, l)) throw new HttpError(401, 'business key required');
    const answer = field(await ctx.body(), 'answer', { required: true, max: 2000 }) as string;
    answerRequest(l, ctx.params.rid, answer);
    redirect(ctx.res, `/services/${l.id}/inbox`);
  });

  const answerRequest = (l: Listing, rid: string | undefined, answer: string) =>
    store.update((d) => {
      const r = d.requests.find((x) => x.id === rid && x.listingId === l.id);
      if (r === undefined) throw new HttpError(404, 'request not found');
      r.answer = answer;
      r.answeredAt = new Date().toISOString();
      return inboxRequest(r);
    });

  router.get('/api/meta', (ctx) =>
    sendJson(ctx.res, 200, {
      categories: params.categories,
      areas: params.areas,
      currency: params.currency,
      languages: offered,
    }),
  );
  router.get('/api/services', (ctx) => {
    const found = searchListings(store.read().listings, query(ctx)).map(publicListing);
    sendJson(ctx.res, 200, { count: found.length, services: found });
  });
  router.get('/api/services/:id', (ctx) => sendJson(ctx.res, 200, publicListing(find(ctx.params.id))));
  router.post('/api/services', async (ctx) => {
    const created = listingFromBody(await ctx.body(), params.categories, params.areas, new Date());
    store.update((d) => d.listings.push(created.listing));
    sendJson(
      ctx.res,
      201,
      { service: publicListing(created.listing), businessKey: created.key },
      { Location: `/api/services/${created.listing.id}` },
    );
  });
  router.post('/api/services/:id/requests', async (ctx) => {
    const l = find(ctx.params.id);
    const { request: r, followUp } = requestFromBody(await ctx.body(), l.id, new Date());
    store.update((d) => d.requests.push(r));
    sendJson(ctx.res, 201, {
      id: r.id,
      serviceId: l.id,
      createdAt: r.createdAt,
      followUpToken: followUp,
      followUpUrl: `/requests/${r.id}?t=${encodeURIComponent(followUp)}`,
    });
  });
  router.get('/api/requests/:rid', (ctx) => {
    const r = followUpRequest(ctx.params.rid, bearer(ctx));
    sendJson(ctx.res, 200, {
      id: r.id,
      serviceId: r.listingId,
      message: r.message,
      createdAt: r.createdAt,
      answer: r.answer ?? null,
      answeredAt: r.answeredAt ?? null,
    });
  });
  router.get('/api/services/:id/requests', (ctx) => {
    const l = find(ctx.params.id);
    if (!keyMatches(bearer(ctx), l.keyHash))
      throw new HttpError(401, 'business key required (Authorization: Bearer <businessKey>)');
    const requests = store
      .read()
      .requests.filter((r) => r.listingId === l.id)
      .map(inboxRequest);
    sendJson(ctx.res, 200, { count: requests.length, requests });
  });
  router.post('/api/services/:id/requests/:rid/answer', async (ctx) => {
    const l = find(ctx.params.id);
    if (!keyMatches(bearer(ctx), l.keyHash))
      throw new HttpError(401, 'business key required (Authorization: Bearer <businessKey>)');
    const answer = field(await ctx.body(), 'answer', { required: true, max: 2000 }) as string;
    sendJson(ctx.res, 200, answerRequest(l, ctx.params.rid, answer));
  });

  return {
    checks: { storage: storageCheck(env.dataDir, dataFile) },
    renderPage: (ctx, title, body) => render(ctx, title, body),
    legal: (ctx) => {
      const { lang, t } = i18n(ctx);
      return {
        lang,
        text: {
          siteName: t('siteName'),
          personalData: [t('legal.personalData')],
          retention: t('legal.retention', { days: params.requestRetentionDays }),
          nonAccessible: [t('legal.nonAccessible')],
          cookies: ['lang', 'biz'],
        },
      };
    },
    errorPage: (ctx, status, message) => {
      const { lang, t } = i18n(ctx);
      return pageHtml(
        lang,
        t,
        ctx.url,
        `${t('error')} ${status}`,
        html`<p class="error">${status === 404 ? t('notFound') : message}</p>
          <p><a href="/">${t('backToList')}</a></p>`,
      );
    },
  };
}

if (require.main === module) runService({ name: SERVICE, setup }, path.resolve(__dirname, '..', '..', '..'));
