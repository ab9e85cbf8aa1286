/**
 * urbanismo-en-red: municipal development plans, searchable by district,
 * status and type, with their documents (in the city's object storage) and
 * their area drawn on a map. Admins publish plans with POST /api/plans.
 */
import * as path from 'node:path';
import { type RuntimeEnvironment, bearerMatches, ensureAdminToken } from '../../_runtime/config';
import { storageCheck } from '../../_runtime/health';
import { HttpError, type RequestContext, type Router, sendHtml, sendJson } from '../../_runtime/http';
import { LANGUAGE_NAMES, type Translate, offeredLanguages, translator } from '../../_runtime/i18n';
import { type SafeHtml, html, layout, raw } from '../../_runtime/html';
import { type ServiceApp, requestLanguage, runService } from '../../_runtime/server';
import { serveFile } from '../../_runtime/static-files';
import { JsonStore, readSeed } from '../../_runtime/store';
import { polygonSvg } from './map';
import { MESSAGES, type MessageKey, SHIPPED_LANGUAGES } from './messages';
import { readParameters } from './params';
import {
  PLAN_STATUSES,
  PLAN_TYPES,
  type Plan,
  type PlanDocument,
  type PlanStoreData,
  planFromBody,
  searchPlans,
} from './plans';

export const SERVICE = 'urbanismo-en-red';

export function setup(env: RuntimeEnvironment, router: Router): ServiceApp {
  const params = readParameters(env.config);
  const seedDir = path.join(env.artifactRoot, 'seed');
  const dataFile = path.join(env.dataDir, 'plans.json');
  const store = new JsonStore<PlanStoreData>(dataFile, () => readSeed<PlanStoreData>(seedDir, 'plans.json'));
  const adminToken = ensureAdminToken(env.config.adminTokenFile);
  const offered = offeredLanguages(env.config.languages, SHIPPED_LANGUAGES);
  const containerUrl = env.config.objectStorage.containers[params.documentsContainer];

  /** Documents live in object storage; a local run without one serves the seed copies. */
  const documentUrl = (doc: PlanDocument): string =>
    containerUrl === undefined
      ? `/documents/${encodeURIComponent(doc.object)}`
      : `${containerUrl.replace(/\/$/, '')}/${encodeURIComponent(doc.object)}`;

  /** A plan date (YYYY-MM-DD) as the visitor's language writes it. */
  const localDate = (l: string, day: string): string =>
    /^\d{4}-\d{2}-\d{2}$/.test(day)
      ? new Intl.DateTimeFormat(l, { dateStyle: 'long', timeZone: 'UTC' }).format(new Date(`${day}T00:00:00Z`))
      : day;
  const page = (
    ctx: RequestContext,
    t: Translate<MessageKey>,
    lang: string,
    title: string,
    body: SafeHtml,
    status = 200,
  ): void => {
    sendHtml(
      ctx.res,
      status,
      layout({
        lang,
        search: ctx.url.search,
        languages: offered.map((code) => ({ code, name: LANGUAGE_NAMES[code] ?? code })),
        title,
        siteName: t('siteName'),
        cityName: env.config.city.displayName,
        nav: [
          { href: '/', label: t('plans'), current: ctx.url.pathname === '/' },
          { href: '/api/plans', label: t('openData') },
        ],
        body,
        footer: t('footer', { city: env.config.city.displayName, version: env.config.version }),
        labels: { skipToContent: t('skipToContent'), language: t('language'), mainNavigation: t('mainNavigation') },
      }),
    );
  };
  const lang = (ctx: RequestContext): { lang: string; t: Translate<MessageKey> } => {
    const l = requestLanguage(ctx, offered);
    return { lang: l, t: translator(MESSAGES, l) };
  };
  const queryOf = (ctx: RequestContext) => ({
    q: ctx.url.searchParams.get('q') ?? undefined,
    district: ctx.url.searchParams.get('district') ?? undefined,
    status: ctx.url.searchParams.get('status') ?? undefined,
    type: ctx.url.searchParams.get('type') ?? undefined,
  });
  const withDocumentUrls = (p: Plan) => ({ ...p, documents: p.documents.map((d) => ({ ...d, url: documentUrl(d) })) });

  const select = (
    name: string,
    label: string,
    options: readonly { value: string; label: string }[],
    current: string | undefined,
    any: string,
  ): SafeHtml =>
    html`<div>
      <label for="f-${name}">${label}</label
      ><select id="f-${name}" name="${name}">
        <option value="">${any}</option>
        ${options.map(
          (o) => html`<option value="${o.value}" ${o.value === current ? raw(' selected') : ''}>${o.label}</option>`,
        )}
      </select>
    </div>`;

  router.get('/', (ctx) => {
    const { lang: l, t } = lang(ctx);
    const query = queryOf(ctx);
    const all = searchPlans(store.read().plans, query);
    const pages = Math.max(1, Math.ceil(all.length / params.pageSize));
    const pageNo = Math.min(pages, Math.max(1, Math.floor(Number(ctx.url.searchParams.get('page') ?? '1')) || 1));
    const shown = all.slice((pageNo - 1) * params.pageSize, pageNo * params.pageSize);
    const pageHref = (n: number): string => {
      const q = new URLSearchParams(ctx.url.search);
      q.set('page', String(n));
      return `/?${q.toString()}`;
    };
    const pager =
      pages === 1
        ? ''
        : html`<nav class="pager" aria-label="${t('pagination')}">
            <p>
              ${pageNo > 1 ? html`<a href="${pageHref(pageNo - 1)}" rel="prev">← ${t('previous')}</a> ` : ''}<span
                aria-current="page"
                >${t('pageOf', { page: pageNo, pages })}</span
              >${pageNo < pages ? html` <a href="${pageHref(pageNo + 1)}" rel="next">${t('next')} →</a>` : ''}
            </p>
          </nav>`;
    const body = html` <form class="filters" method="get" action="/" role="search" aria-label="${t('searchPlans')}">
        <div>
          <label for="f-q">${t('keywords')}</label><input id="f-q" name="q" type="search" value="${query.q ?? ''}" />
        </div>
        ${select(
          'district',
          t('district'),
          params.districts.map((d) => ({ value: d, label: d })),
          query.district,
          t('any'),
        )}
        ${select(
          'status',
          t('status'),
          PLAN_STATUSES.map((s) => ({ value: s, label: t(`status.${s}`) })),
          query.status,
          t('any'),
        )}
        ${select(
          'type',
          t('type'),
          PLAN_TYPES.map((s) => ({ value: s, label: t(`type.${s}`) })),
          query.type,
          t('any'),
        )}
        <button type="submit">${t('search')}</button>
      </form>
      <p role="status">${all.length === 1 ? t('resultCountOne') : t('resultCount', { count: all.length })}</p>
      ${all.length === 0 ? html`<p>${t('noResults')}</p>` : ''}
      <ul class="cards">
        ${shown.map(
          (p) =>
            html`<li>
              <h2><a href="/plans/${p.id}">${p.title}</a></h2>
              <p>
                <span class="badge">${t(`status.${p.status}`)}</span>
                <span class="meta">${t(`type.${p.type}`)} · ${p.district} · ${p.code}</span>
              </p>
              <p>${p.summary.length > 180 ? `${p.summary.slice(0, 177)}…` : p.summary}</p>
            </li>`,
        )}
      </ul>
      ${pager}`;
    page(ctx, t, l, t('plans'), body);
  });

  router.get('/plans/:id', (ctx) => {
    const { lang: l, t } = lang(ctx);
    const plan = store.read().plans.find((p) => p.id === ctx.params.id);
    if (plan === undefined) throw new HttpError(404, 'plan not found');
    const body = html` <p><a href="/">← ${t('backToList')}</a></p>
      <dl class="facts">
        <dt>${t('code')}</dt>
        <dd>${plan.code}</dd>
        <dt>${t('district')}</dt>
        <dd>${plan.district}</dd>
        <dt>${t('type')}</dt>
        <dd>${t(`type.${plan.type}`)}</dd>
        <dt>${t('status')}</dt>
        <dd><span class="badge">${t(`status.${plan.status}`)}</span></dd>
        <dt>${t('areaHectares')}</dt>
        <dd>${plan.areaHectares.toLocaleString(l)} ha</dd>
      </dl>
      <p>${plan.summary}</p>
      <section aria-labelledby="h-history">
        <h2 id="h-history">${t('history')}</h2>
        <ol>
          ${PLAN_STATUSES.filter((s) => plan.dates[s] !== undefined).map((s) => html`<li>${t(`status.${s}`)}: <time datetime="${plan.dates[s]}">${localDate(l, plan.dates[s] as string)}</time></li>`)}
        </ol>
      </section>
      <section aria-labelledby="h-docs">
        <h2 id="h-docs">${t('documents')}</h2>
        ${
          plan.documents.length === 0
            ? html`<p>${t('noDocuments')}</p>`
            : html`<ul>
                ${plan.documents.map((d) => html`<li><a href="${documentUrl(d)}" type="${d.mediaType}">${d.title}</a> <span class="meta">(${d.mediaType.split('/')[1] ?? d.mediaType}, ${Math.max(1, Math.round(d.bytes / 1024)).toLocaleString(l)} KB)</span></li>`)}
              </ul>`
        }
      </section>
      <section aria-labelledby="h-area">
        <h2 id="h-area">${t('area')}</h2>
        ${raw(polygonSvg(plan.area, t('map', { code: plan.code })))}
        <p><a href="/api/plans/${plan.id}/area.geojson">GeoJSON</a></p>
      </section>
      <p class="meta">${t('questions', { email: params.planningOfficeEmail })}</p>`;
    page(ctx, t, l, plan.title, body);
  });

  router.get('/documents/:object', (ctx) =>
    serveFile(ctx.res, path.join(seedDir, 'documents'), ctx.params.object ?? ''),
  );

  router.get('/api/plans', (ctx) => {
    const plans = searchPlans(store.read().plans, queryOf(ctx)).map(withDocumentUrls);
    sendJson(ctx.res, 200, { count: plans.length, plans });
  });
  router.get('/api/meta', (ctx) =>
    sendJson(ctx.res, 200, {
      districts: params.districts,
      statuses: PLAN_STATUSES,
      types: PLAN_TYPES,
      languages: offered,
    }),
  );
  router.get('/api/plans/:id', (ctx) => {
    const plan = store.read().plans.find((p) => p.id === ctx.params.id);
    if (plan === undefined) throw new HttpError(404, 'plan not found');
    sendJson(ctx.res, 200, withDocumentUrls(plan));
  });
  router.get('/api/plans/:id/area.geojson', (ctx) => {
    const plan = store.read().plans.find((p) => p.id === ctx.params.id);
    if (plan === undefined) throw new HttpError(404, 'plan not found');
    sendJson(
      ctx.res,
      200,
      {
        type: 'Feature',
        id: plan.id,
        properties: { code: plan.code, title: plan.title, status: plan.status },
        geometry: plan.area,
      },
      { 'Content-Type': 'application/geo+json' },
    );
  });
  router.post('/api/plans', async (ctx) => {
    if (!bearerMatches(ctx.req.headers.authorization, adminToken))
      throw new HttpError(401, 'admin bearer token required (Authorization: Bearer <token from the admin token file>)');
    const body = await ctx.body();
    const plan = store.update((data) => {
      const p = planFromBody(body, params.districts, data.plans, new Date());
      data.plans.push(p);
      return p;
    });
    sendJson(ctx.res, 201, withDocumentUrls(plan), { Location: `/api/plans/${plan.id}` });
  });

  return {
    checks: { storage: storageCheck(env.dataDir, dataFile) },
    renderPage: (ctx, title, body) => {
      const { lang: l, t } = lang(ctx);
      page(ctx, t, l, title, body);
    },
    // Nobody gives this site personal data: the notice says so, and names the only cookie.
    legal: (ctx) => {
      const { lang: l, t } = lang(ctx);
      return {
        lang: l,
        text: {
          siteName: t('siteName'),
          personalData: [],
          retention: '',
          nonAccessible: [t('legal.nonAccessible', { email: params.planningOfficeEmail })],
          cookies: ['lang'],
        },
      };
    },
    errorPage: (ctx, status, message) => {
      const { lang: l, t } = lang(ctx);
      return layout({
        lang: l,
        search: ctx.url.search,
        languages: offered.map((code) => ({ code, name: LANGUAGE_NAMES[code] ?? code })),
        title: `${t('error')} ${status}`,
        siteName: t('siteName'),
        cityName: env.config.city.displayName,
        nav: [{ href: '/', label: t('plans') }],
        body: html`<p class="error">${status === 404 ? t('notFound') : message}</p>
          <p><a href="/">${t('backToList')}</a></p>`,
        footer: t('footer', { city: env.config.city.displayName, version: env.config.version }),
        labels: { skipToContent: t('skipToContent'), language: t('language'), mainNavigation: t('mainNavigation') },
      });
    },
  };
}

if (require.main === module) runService({ name: SERVICE, setup }, path.resolve(__dirname, '..', '..', '..'));
