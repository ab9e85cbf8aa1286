/**
 * Runs a pilot service: reads its environment, mounts /healthz and the shared
 * stylesheet, lets the application add its routes, renders errors (JSON under
 * /api, HTML elsewhere) and shuts down cleanly on SIGTERM (systemd stop).
 */
import * as http from 'node:http';
import { WindowLimiter } from './client';
import { type RuntimeEnvironment, loadEnvironment } from './config';
import { type Check, healthReport } from './health';
import { HttpError, type RequestContext, Router, cookie, send, sendHtml, sendJson, wantsJson } from './http';
import { chooseLanguage } from './i18n';
import { type SafeHtml, STYLESHEET } from './html';
import { type TemplateLegalText, accessibilityStatement, legalText, privacyNotice } from './legal';

export interface ServiceApp {
  checks: Record<string, Check>;
  /** An HTML error page in the visitor's language. */
  errorPage(ctx: RequestContext, status: number, message: string): string;
  /** Sends a page of the site (its layout, navigation and language) with this title and body. */
  renderPage(ctx: RequestContext, title: string, body: SafeHtml): void;
  /** The visitor's language and what the template says about itself for the statement and the notice. */
  legal(ctx: RequestContext): { lang: string; text: TemplateLegalText };
}

export interface ServiceDefinition {
  name: string;
  setup(env: RuntimeEnvironment, router: Router): ServiceApp;
}

/** The visitor's language; a ?lang= choice is remembered in a cookie. */
export function requestLanguage(ctx: RequestContext, offered: readonly string[]): string {
  const lang = chooseLanguage(
    offered,
    ctx.url.searchParams.get('lang'),
    ctx.cookies.lang,
    ctx.req.headers['accept-language'],
  );
  if (ctx.url.searchParams.get('lang') === lang)
    ctx.res.appendHeader(
      'Set-Cookie',
      // A session cookie: remembering a choice the visitor made is strictly necessary only while they browse.
      cookie('lang', lang, { httpOnly: true, secure: ctx.secure }),
    );
  return lang;
}

/**
 * Refuses changes a browser was tricked into sending from another site
 * (Sec-Fetch-Site / Origin), and limits how many changes one client (IPv4
 * address or IPv6 /64) makes per minute, so votes and requests cannot be
 * stuffed by a script at speed.
 */
export function writeGuard(limitPerMinute: number, now: () => number = Date.now): (ctx: RequestContext) => void {
  const limiter = new WindowLimiter(limitPerMinute, 60_000, now);
  return (ctx) => {
    if (ctx.method === 'GET' || ctx.method === 'HEAD') return;
    const site = ctx.req.headers['sec-fetch-site'];
    const origin = ctx.req.headers.origin;
    let crossOrigin = site === 'cross-site';
    if (origin !== undefined && origin !== 'null') {
      try {
        crossOrigin ||= new URL(origin).host !== ctx.req.headers.host;
      } catch {
        crossOrigin = true;
      }
    }
    if (crossOrigin) throw new HttpError(403, 'changes must come from this site');
    if (!limiter.take(ctx.client)) {
      ctx.res.setHeader('Retry-After', String(limiter.retryAfterSeconds()));
      throw new HttpError(429, 'too many changes from this address or network; try again in a minute');
    }
  };
}

export function createServer(def: ServiceDefinition, env: RuntimeEnvironment): http.Server {
  const router = new Router({
    trustedProxies: env.config.trustedProxies,
    ...(env.config.publicUrl === undefined ? {} : { publicUrl: env.config.publicUrl }),
  }).use(writeGuard(env.writeLimitPerMinute));
  const app = def.setup(env, router);
  router.get('/healthz', (ctx) => {
    const report = healthReport(env.config.service, env.config.version, app.checks);
    sendJson(ctx.res, report.httpStatus, report.body);
  });
  // Every pilot publishes both, generated from the city's manifest: they are not the application's to forget.
  router.get('/accessibility', (ctx) => {
    const { lang, text } = app.legal(ctx);
    const siteUrl = env.config.publicUrl ?? `${ctx.secure ? 'https' : 'http'}://${ctx.req.headers.host ?? 'localhost'}`;
    app.renderPage(ctx, legalText(lang)('accessibility'), accessibilityStatement(env.config, lang, text, siteUrl));
  });
  router.get('/privacy', (ctx) => {
    const { lang, text } = app.legal(ctx);
    app.renderPage(ctx, legalText(lang)('privacy'), privacyNotice(env.config, lang, text));
  });
  router.get('/assets/storm.css', (ctx) =>
    send(ctx.res, 200, 'text/css; charset=utf-8', STYLESHEET, { 'Cache-Control': 'public, max-age=3600' }),
  );
  return http.createServer(
    router.listener((ctx, err) => {
      const status = err instanceof HttpError ? err.status : 500;
      const message = err instanceof HttpError ? err.message : 'internal error';
      if (!(err instanceof HttpError)) console.error(err);
      if (ctx.res.headersSent) {
        ctx.res.destroy();
        return;
      }
      if (wantsJson(ctx))
        sendJson(ctx.res, status, { error: { status, message, ...(err instanceof HttpError ? err.details : {}) } });
      else sendHtml(ctx.res, status, app.errorPage(ctx, status, message));
    }),
  );
}

export function runService(def: ServiceDefinition, artifactRoot: string): void {
  const env = loadEnvironment(def.name, artifactRoot);
  const server = createServer(def, env);
  server.listen(env.port, env.host, () => {
    const addr = server.address();
    const port = typeof addr === 'object' && addr !== null ? addr.port : env.port;
    console.log(
      `${env.config.service} ${env.config.version} listening on http://${env.host}:${port} (data: ${env.dataDir})`,
    );
  });
  const stop = (): void => {
    server.close(() => process.exit(0));
    server.closeAllConnections();
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}
