/**
 * participa: citizens propose urban improvements, comment and vote once per
 * person; moderators (bearer token from the admin token file) set the status.
 */
import * as crypto from 'node:crypto';
import * as path from 'node:path';
import { type RuntimeEnvironment, bearerMatches, ensureAdminToken } from '../../_runtime/config';
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
import { WindowLimiter } from '../../_runtime/client';
import { ensureSecretFile, signSession, verifySession } from '../../_runtime/signing';
import {
  IDEA_STATUSES,
  type Idea,
  type ParticipaData,
  castVote,
  commentFromBody,
  deleteOwnIdea,
  deleteOwnVote,
  ideasOf,
  ideaFromBody,
  issueVoterId,
  moderate,
  publicIdea,
  rankIdeas,
  verifiedVoterId,
  voterHash,
} from './ideas';
import { MESSAGES, type MessageKey, SHIPPED_LANGUAGES } from './messages';
import { readParameters } from './params';

export const SERVICE = 'participa';

function votesText(t: Translate<MessageKey>, count: number): string {
  return count === 1 ? t('votesOne') : t('votes', { count });
}
const VOTER_COOKIE_SECONDS = 2 * 365 * 86400;

export function setup(env: RuntimeEnvironment, router: Router): ServiceApp {
  const params = readParameters(env.config);
  const dataFile = path.join(env.dataDir, 'ideas.json');
  const store = new JsonStore<ParticipaData>(dataFile, () =>
    readSeed<ParticipaData>(path.join(env.artifactRoot, 'seed'), 'ideas.json'),
  );
  const moderatorToken = ensureAdminToken(env.config.adminTokenFile);
  const signingKey = ensureSecretFile(env.config.signingKeyFile, 'signing key');
  // Anyone can get a voter id by asking; what bounds "one vote per person" is
  // how many new voters one address or IPv6 /64 may become per day.
  const newVoters = new WindowLimiter(params.newVotersPerAddressPerDay, 86_400_000);
  const offered = offeredLanguages(env.config.languages, SHIPPED_LANGUAGES);

  const i18n = (ctx: RequestContext): { lang: string; t: Translate<MessageKey> } => {
    const lang = requestLanguage(ctx, offered);
    return { lang, t: translator(MESSAGES, lang) };
  };
  /** A refused form field, named by its label in the visitor's language (the API's message is English). */
  const formError = (t: Translate<MessageKey>, err: HttpError): string => {
    const labels: Record<string, MessageKey> = {
      title: 'title',
      description: 'description',
      parish: 'parish',
      street: 'location',
      lat: 'location',
      lon: 'location',
      author: 'author',
      text: 'comment',
    };
    const key = labels[String(err.details?.field ?? '')];
    return key === undefined ? t('checkForm') : t('checkField', { field: t(key) });
  };
  const find = (id: string | undefined): Idea => {
    const idea = store.read().ideas.find((i) => i.id === id);
    if (idea === undefined) throw new HttpError(404, 'idea not found');
    return idea;
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
        { href: '/', label: t('ideas'), current: url.pathname === '/' },
        { href: '/propose', label: t('propose'), current: url.pathname === '/propose' },
        { href: '/my', label: t('mine'), current: url.pathname === '/my' },
      ],
      body,
      footer: t('footer', { city: env.config.city.displayName, version: env.config.version }),
      labels: { skipToContent: t('skipToContent'), language: t('language'), mainNavigation: t('mainNavigation') },
    });
  const render = (ctx: RequestContext, title: string, body: SafeHtml, status = 200): void => {
    const { lang, t } = i18n(ctx);
    sendHtml(ctx.res, status, pageHtml(lang, t, ctx.url, title, body));
  };
  /**
   * The voter behind this request: the id in the X-Voter-Id header or the
   * voter cookie when this deployment signed it (400 when it did not — a
   * forged id must not count as a new voter), or a new voter issued on this
   * response (429 when this network had its share of new voters today).
   */
  const voterFor = (ctx: RequestContext): { id: string; issued?: string } => {
    const header = ctx.req.headers['x-voter-id'];
    const given = typeof header === 'string' ? header : ctx.cookies.voter;
    if (given !== undefined) {
      const id = verifiedVoterId(signingKey, given);
      if (id !== undefined) return { id };
      if (header === undefined)
        ctx.res.appendHeader(
          'Set-Cookie',
          cookie('voter', '', { maxAgeSeconds: 0, httpOnly: true, secure: ctx.secure, sameSite: 'Lax' }),
        );
      throw new HttpError(
        400,
        `the ${header === undefined ? 'voter cookie' : 'X-Voter-Id header'} holds a voter id this site did not issue (forged, altered or from another deployment); the vote was not counted — vote without it to be issued a new one`,
        { field: header === undefined ? 'voter' : 'x-voter-id', reason: 'voter-not-issued' },
      );
    }
    if (!newVoters.take(ctx.client)) {
      ctx.res.setHeader('Retry-After', String(newVoters.retryAfterSeconds()));
      throw new HttpError(
        429,
        `too many new voters from this address or network today (at most ${params.newVotersPerAddressPerDay}); voters who already have an id can still vote`,
        { reason: 'too-many-voters' },
      );
    }
    const voter = issueVoterId(signingKey);
    ctx.res.appendHeader(
      'Set-Cookie',
      cookie('voter', voter.signed, {
        maxAgeSeconds: VOTER_COOKIE_SECONDS,
        httpOnly: true,
        secure: ctx.secure,
        sameSite: 'Lax',
      }),
    );
    return { id: voter.id, issued: voter.signed };
  };
  const locationText = (i: Idea): string => {
    const parts: string[] = [];
    if ('street' in i.location && i.location.street !== undefined) parts.push(i.location.street);
    if ('lat' in i.location) parts.push(`${i.location.lat.toFixed(5)}, ${i.location.lon.toFixed(5)}`);
    return `${parts.join(' · ')} (${i.parish})`;
  };

  router.get('/', (ctx) => {
    const { t } = i18n(ctx);
    const filter = {
      status: ctx.url.searchParams.get('status') ?? undefined,
      parish: ctx.url.searchParams.get('parish') ?? undefined,
    };
    const ideas = rankIdeas(store.read().ideas, filter);
    render(
      ctx,
      t('ideas'),
      html` <form class="filters" method="get" action="/" aria-label="${t('filter')}">
          <div>
            <label for="f-status">${t('status')}</label
            ><select id="f-status" name="status">
              <option value="">${t('any')}</option>
              ${IDEA_STATUSES.map((s) => html`<option value="${s}" ${s === filter.status ? raw(' selected') : ''}>${t(`status.${s}`)}</option>`)}
            </select>
          </div>
          <div>
            <label for="f-parish">${t('parish')}</label
            ><select id="f-parish" name="parish">
              <option value="">${t('any')}</option>
              ${params.parishes.map((p) => html`<option value="${p}" ${p === filter.parish ? raw(' selected') : ''}>${p}</option>`)}
            </select>
          </div>
          <button type="submit">${t('filter')}</button>
        </form>
        <p role="status">${ideas.length === 1 ? t('ideaCountOne') : t('ideaCount', { count: ideas.length })}</p>
        ${ideas.length === 0 ? html`<p>${t('noIdeas')}</p>` : ''}
        <ol class="cards">
          ${ideas.map(
            (i) =>
              html`<li>
                <h2><a href="/ideas/${i.id}">${i.title}</a></h2>
                <p>
                  <span class="badge">${t(`status.${i.status}`)}</span>
                  <strong class="votes">${votesText(t, i.voterHashes.length)}</strong>
                </p>
                <p class="meta">${locationText(i)}</p>
              </li>`,
          )}
        </ol>`,
    );
  });

  router.get('/ideas/:id', (ctx) => {
    const { lang, t } = i18n(ctx);
    const idea = find(ctx.params.id);
    const notice = ctx.url.searchParams.get('notice');
    const notices: Record<string, SafeHtml> = {
      voted: html`<p class="notice" role="status">${t('voted')}</p>`,
      'already-voted': html`<p class="error" role="alert">${t('alreadyVoted')}</p>`,
      closed: html`<p class="error" role="alert">${t('votingClosed')}</p>`,
      submitted: html`<p class="notice" role="status">${t('submitted')}</p>`,
    };
    const canVote = params.votingOpen && idea.status !== 'rejected' && idea.status !== 'done';
    render(
      ctx,
      idea.title,
      html`<p><a href="/">← ${t('backToList')}</a></p>
        ${notice === null ? '' : (notices[notice] ?? '')}
        <p>
          <span class="badge">${t(`status.${idea.status}`)}</span>
          <strong id="vote-count">${votesText(t, idea.voterHashes.length)}</strong>
        </p>
        ${canVote ? html`<form method="post" action="/ideas/${idea.id}/vote"><button type="submit">${t('vote')}</button></form>` : html`<p>${t('votingClosed')}</p>`}
        <p>${idea.description}</p>
        <dl class="facts">
          <dt>${t('location')}</dt>
          <dd>${locationText(idea)}</dd>
          ${
            idea.author === ''
              ? ''
              : html`<dt>${t('proposer')}</dt>
                  <dd>${idea.author}</dd>`
          }
          ${
            idea.moderationNote === undefined
              ? ''
              : html`<dt>${t('moderationNote')}</dt>
                  <dd>${idea.moderationNote}</dd>`
          }
        </dl>
        <section aria-labelledby="h-comments">
          <h2 id="h-comments">${t('comments')}</h2>
          ${
            idea.comments.length === 0
              ? html`<p>${t('noComments')}</p>`
              : html`<ul>
                  ${idea.comments.map(
                    (c) =>
                      html`<li>
                        <p>${c.text}</p>
                        <p class="meta">
                          ${c.author === '' ? t('anonymous') : c.author} ·
                          <time datetime="${c.createdAt}"
                            >${new Date(c.createdAt).toLocaleDateString(lang, { timeZone: 'UTC' })}</time
                          >
                        </p>
                      </li>`,
                  )}
                </ul>`
          }
          <form method="post" action="/ideas/${idea.id}/comments">
            <div class="field">
              <label for="c-text">${t('comment')}</label
              ><textarea id="c-text" name="text" required maxlength="1000"></textarea>
            </div>
            <div class="field">
              <label for="c-author">${t('author')}</label
              ><input id="c-author" name="author" maxlength="80" autocomplete="name" />
            </div>
            <button type="submit">${t('addComment')}</button>
          </form>
        </section>`,
    );
  });

  router.post('/ideas/:id/vote', (ctx) => {
    const idea = find(ctx.params.id);
    if (!params.votingOpen) return redirect(ctx.res, `/ideas/${idea.id}?notice=closed`);
    let voter: string;
    try {
      voter = voterFor(ctx).id;
    } catch (err) {
      if (!(err instanceof HttpError) || (err.status !== 400 && err.status !== 429)) throw err;
      const { t } = i18n(ctx);
      return render(
        ctx,
        idea.title,
        html`<p class="error" role="alert">${err.status === 400 ? t('voterNotIssued') : t('tooManyVoters')}</p>
          <p><a href="/ideas/${idea.id}">← ${idea.title}</a></p>`,
        err.status,
      );
    }
    try {
      store.update((d) => castVote(d.ideas.find((i) => i.id === idea.id) as Idea, voter));
    } catch (err) {
      if (err instanceof HttpError && err.status === 409)
        return redirect(
          ctx.res,
          `/ideas/${idea.id}?notice=${err.details?.alreadyVoted === true ? 'already-voted' : 'closed'}`,
        );
      throw err;
    }
    redirect(ctx.res, `/ideas/${idea.id}?notice=voted`);
  });
  router.post('/ideas/:id/comments', async (ctx) => {
    const idea = find(ctx.params.id);
    const c = commentFromBody(await ctx.body(), new Date());
    store.update((d) => (d.ideas.find((i) => i.id === idea.id) as Idea).comments.push(c));
    redirect(ctx.res, `/ideas/${idea.id}#h-comments`);
  });

  const proposeForm = (t: Translate<MessageKey>, error?: string): SafeHtml =>
    html` ${error === undefined ? '' : html`<p class="error" role="alert">${error}</p>`}
      <form method="post" action="/propose">
        <div class="field">
          <label for="i-title">${t('title')}</label><input id="i-title" name="title" required maxlength="140" />
        </div>
        <div class="field">
          <label for="i-description">${t('description')}</label
          ><textarea id="i-description" name="description" required maxlength="${params.maxIdeaLength}"></textarea>
        </div>
        <div class="field">
          <label for="i-parish">${t('parish')}</label
          ><select id="i-parish" name="parish" required>
            ${params.parishes.map((p) => html`<option value="${p}">${p}</option>`)}
          </select>
        </div>
        <fieldset>
          <legend>${t('location')}</legend>
          <p class="meta" id="loc-help">${t('locationHelp')}</p>
          <div class="field">
            <label for="i-street">${t('street')}</label
            ><input id="i-street" name="street" maxlength="200" aria-describedby="loc-help" />
          </div>
          <div class="field">
            <label for="i-lat">${t('lat')}</label><input id="i-lat" name="lat" inputmode="decimal" />
          </div>
          <div class="field">
            <label for="i-lon">${t('lon')}</label><input id="i-lon" name="lon" inputmode="decimal" />
          </div>
        </fieldset>
        <div class="field">
          <label for="i-author">${t('author')}</label
          ><input id="i-author" name="author" maxlength="80" aria-describedby="author-help" autocomplete="name" />
          <p id="author-help" class="meta">${t('authorHelp')}</p>
        </div>
        <button type="submit">${t('submit')}</button>
      </form>`;

  router.get('/propose', (ctx) => {
    const { t } = i18n(ctx);
    render(ctx, t('propose'), proposeForm(t));
  });
  router.post('/propose', async (ctx) => {
    const { t } = i18n(ctx);
    let idea: Idea;
    try {
      idea = ideaFromBody(await ctx.body(), params.parishes, params.maxIdeaLength, new Date());
    } catch (err) {
      if (err instanceof HttpError && err.status === 400)
        return render(ctx, t('propose'), proposeForm(t, formError(t, err)), 400);
      throw err;
    }
    // The proposer's browser gets (or keeps) its voter id, so they can find and delete the idea later;
    // when no id can be issued (a forged cookie, this network's share used up) the idea is still taken.
    try {
      idea.proposerHash = voterHash(voterFor(ctx).id);
    } catch (err) {
      if (!(err instanceof HttpError)) throw err;
      ctx.res.removeHeader('Retry-After');
    }
    store.update((d) => d.ideas.push(idea));
    redirect(ctx.res, `/ideas/${idea.id}?notice=submitted`);
  });

  /** The voter id this browser holds, when this deployment signed it (no new one is issued just to look). */
  const browserVoter = (ctx: RequestContext): string | undefined =>
    ctx.cookies.voter === undefined ? undefined : verifiedVoterId(signingKey, ctx.cookies.voter);

  router.get('/my', (ctx) => {
    const { t } = i18n(ctx);
    const voter = browserVoter(ctx);
    const mine = voter === undefined ? { proposed: [], voted: [] } : ideasOf(store.read().ideas, voter);
    const notice = ctx.url.searchParams.get('notice');
    const list = (ideas: Idea[], action: string, label: 'deleteIdea' | 'deleteVote'): SafeHtml =>
      ideas.length === 0
        ? html`<p>${t('noneYet')}</p>`
        : html`<ul>
            ${ideas.map(
              (i) =>
                html`<li>
                  <a href="/ideas/${i.id}">${i.title}</a>
                  <form method="post" action="/my/${action}/${i.id}/delete" class="inline">
                    <button type="submit">${t(label, { title: i.title })}</button>
                  </form>
                </li>`,
            )}
          </ul>`;
    render(
      ctx,
      t('mine'),
      html`${notice === 'idea-deleted' ? html`<p class="notice" role="status">${t('ideaDeleted')}</p>` : ''}
        ${notice === 'vote-deleted' ? html`<p class="notice" role="status">${t('voteDeleted')}</p>` : ''}
        <p>${t('mineHelp')}</p>
        <h2>${t('myIdeas')}</h2>
        ${list(mine.proposed, 'ideas', 'deleteIdea')}
        <h2>${t('myVotes')}</h2>
        ${list(mine.voted, 'votes', 'deleteVote')}`,
    );
  });
  router.post('/my/ideas/:id/delete', (ctx) => {
    const voter = browserVoter(ctx);
    if (voter === undefined) throw new HttpError(404, 'this browser has no ideas');
    store.update((d) => deleteOwnIdea(d, ctx.params.id ?? '', voter));
    redirect(ctx.res, '/my?notice=idea-deleted');
  });
  router.post('/my/votes/:id/delete', (ctx) => {
    const voter = browserVoter(ctx);
    if (voter === undefined) throw new HttpError(404, 'this browser has no votes');
    const idea = find(ctx.params.id);
    store.update((d) => deleteOwnVote(d.ideas.find((i) => i.id === idea.id) as Idea, voter));
    redirect(ctx.res, '/my?notice=vote-deleted');
  });

  // Moderators sign in with the admin token; the browser keeps a signed 8-hour session
  // (HttpOnly, scoped to /moderation), never the token. The session names the token's
  // fingerprint, so replacing the admin token file signs every moderator out.
  const MODERATOR_SESSION = 'participa-moderator-v1';
  const MODERATOR_SESSION_MS = 8 * 3600 * 1000;
  const moderatorFingerprint = crypto.createHash('sha256').update(moderatorToken).digest('hex').slice(0, 32);
  const isModerator = (ctx: RequestContext): boolean =>
    verifySession(signingKey, MODERATOR_SESSION, ctx.cookies.mod, Date.now()) === moderatorFingerprint;

  router.get('/moderation', (ctx) => {
    const { t } = i18n(ctx);
    if (!isModerator(ctx)) {
      const wrong = ctx.url.searchParams.get('wrong') === '1';
      return render(
        ctx,
        t('moderation'),
        html`${wrong ? html`<p class="error" role="alert">${t('wrongToken')}</p>` : ''}
          <form method="post" action="/moderation/login">
            <div class="field">
              <label for="m-token">${t('moderatorToken')}</label
              ><input id="m-token" name="token" type="password" required autocomplete="off" />
            </div>
            <button type="submit">${t('signIn')}</button>
          </form>`,
        wrong ? 401 : 200,
      );
    }
    const ideas = [...store.read().ideas].sort((a, b) => b.createdAt.localeCompare(a.createdAt));
    render(
      ctx,
      t('moderation'),
      html`<p>${t('moderationHelp')}</p>
        <table>
          <thead>
            <tr>
              <th scope="col">${t('title')}</th>
              <th scope="col">${t('parish')}</th>
              <th scope="col">${t('status')}</th>
            </tr>
          </thead>
          <tbody>
            ${ideas.map(
              (i) =>
                html`<tr>
                  <td>
                    <a href="/ideas/${i.id}">${i.title}</a><br /><span class="meta"
                      >${votesText(t, i.voterHashes.length)}</span
                    >
                  </td>
                  <td>${i.parish}</td>
                  <td>
                    <form method="post" action="/moderation/ideas/${i.id}/status">
                      <div class="field">
                        <label for="s-${i.id}">${t('status')}</label
                        ><select id="s-${i.id}" name="status">
                          ${IDEA_STATUSES.map((s) => html`<option value="${s}" ${s === i.status ? raw(' selected') : ''}>${t(`status.${s}`)}</option>`)}
                        </select>
                      </div>
                      <div class="field">
                        <label for="n-${i.id}">${t('note')}</label
                        ><input id="n-${i.id}" name="note" maxlength="1000" value="${i.moderationNote ?? ''}" />
                      </div>
                      <button type="submit">${t('save')}</button>
                    </form>
                  </td>
                </tr>`,
            )}
          </tbody>
        </table>`,
    );
  });
  router.post('/moderation/login', async (ctx) => {
    const token = field(await ctx.body(), 'token', { required: false, max: 200 }) ?? '';
    if (!bearerMatches(`Bearer ${token}`, moderatorToken)) return redirect(ctx.res, '/moderation?wrong=1');
    redirect(ctx.res, '/moderation', {
      'Set-Cookie': cookie(
        'mod',
        signSession(signingKey, MODERATOR_SESSION, moderatorFingerprint, Date.now() + MODERATOR_SESSION_MS),
        {
          maxAgeSeconds: MODERATOR_SESSION_MS / 1000,
          httpOnly: true,
          secure: ctx.secure,
          sameSite: 'Strict',
          path: '/moderation',
        },
      ),
    });
  });
  router.post('/moderation/ideas/:id/status', async (ctx) => {
    if (!isModerator(ctx)) throw new HttpError(401, 'moderator key required');
    const idea = find(ctx.params.id);
    const body = await ctx.body();
    store.update((d) => moderate(d.ideas.find((i) => i.id === idea.id) as Idea, body.status, body.note, new Date()));
    redirect(ctx.res, '/moderation');
  });

  router.get('/api/meta', (ctx) =>
    sendJson(ctx.res, 200, {
      parishes: params.parishes,
      statuses: IDEA_STATUSES,
      votingOpen: params.votingOpen,
      languages: offered,
    }),
  );
  router.get('/api/ideas', (ctx) => {
    const ideas = rankIdeas(store.read().ideas, {
      status: ctx.url.searchParams.get('status') ?? undefined,
      parish: ctx.url.searchParams.get('parish') ?? undefined,
    }).map(publicIdea);
    sendJson(ctx.res, 200, { count: ideas.length, ideas });
  });
  router.get('/api/ideas/:id', (ctx) => sendJson(ctx.res, 200, publicIdea(find(ctx.params.id))));
  router.post('/api/ideas', async (ctx) => {
    const idea = ideaFromBody(await ctx.body(), params.parishes, params.maxIdeaLength, new Date());
    // Like a vote, a proposal is tied to the voter id (sent as X-Voter-Id, or issued and returned as voterId),
    // so its author can list and delete it through /api/me.
    // When this network had its share of new voters today the idea is still taken, without an author id.
    let issued: string | undefined;
    try {
      const voter = voterFor(ctx);
      idea.proposerHash = voterHash(voter.id);
      issued = voter.issued;
    } catch (err) {
      if (!(err instanceof HttpError) || err.status !== 429) throw err;
      ctx.res.removeHeader('Retry-After');
    }
    store.update((d) => d.ideas.push(idea));
    sendJson(
      ctx.res,
      201,
      { ...publicIdea(idea), ...(issued === undefined ? {} : { voterId: issued }) },
      { Location: `/api/ideas/${idea.id}` },
    );
  });
  /** The voter an /api/me request speaks for: a signed id in X-Voter-Id (or the voter cookie); never a new one. */
  const knownVoter = (ctx: RequestContext): string => {
    const header = ctx.req.headers['x-voter-id'];
    const given = typeof header === 'string' ? header : ctx.cookies.voter;
    const id = given === undefined ? undefined : verifiedVoterId(signingKey, given);
    if (id === undefined)
      throw new HttpError(401, 'send the voter id this site issued you (X-Voter-Id, or the voter cookie)', {
        field: 'x-voter-id',
      });
    return id;
  };
  router.get('/api/me', (ctx) => {
    const mine = ideasOf(store.read().ideas, knownVoter(ctx));
    sendJson(ctx.res, 200, { proposed: mine.proposed.map(publicIdea), voted: mine.voted.map(publicIdea) });
  });
  router.on('DELETE', '/api/me/ideas/:id', (ctx) => {
    const voter = knownVoter(ctx);
    store.update((d) => deleteOwnIdea(d, ctx.params.id ?? '', voter));
    sendJson(ctx.res, 200, { id: ctx.params.id, deleted: true });
  });
  router.on('DELETE', '/api/me/votes/:id', (ctx) => {
    const voter = knownVoter(ctx);
    const idea = find(ctx.params.id);
    const votes = store.update((d) => deleteOwnVote(d.ideas.find((i) => i.id === idea.id) as Idea, voter));
    sendJson(ctx.res, 200, { id: idea.id, votes });
  });
  router.post('/api/ideas/:id/comments', async (ctx) => {
    const idea = find(ctx.params.id);
    const c = commentFromBody(await ctx.body(), new Date());
    store.update((d) => (d.ideas.find((i) => i.id === idea.id) as Idea).comments.push(c));
    sendJson(ctx.res, 201, c);
  });
  router.post('/api/ideas/:id/votes', (ctx) => {
    const idea = find(ctx.params.id);
    if (!params.votingOpen) throw new HttpError(403, 'voting is closed');
    const voter = voterFor(ctx);
    const votes = store.update((d) => castVote(d.ideas.find((i) => i.id === idea.id) as Idea, voter.id));
    // A new voter gets its signed id back, to send as X-Voter-Id next time.
    sendJson(ctx.res, 201, { id: idea.id, votes, ...(voter.issued === undefined ? {} : { voterId: voter.issued }) });
  });
  router.post('/api/ideas/:id/status', async (ctx) => {
    if (!bearerMatches(ctx.req.headers.authorization, moderatorToken))
      throw new HttpError(
        401,
        'moderator bearer token required (Authorization: Bearer <token from the admin token file>)',
      );
    const idea = find(ctx.params.id);
    const body = await ctx.body();
    const updated = store.update((d) =>
      moderate(d.ideas.find((i) => i.id === idea.id) as Idea, body.status, body.note, new Date()),
    );
    sendJson(ctx.res, 200, publicIdea(updated));
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
          retention: t('legal.retention'),
          nonAccessible: [t('legal.nonAccessible')],
          cookies: ['lang', 'voter', 'mod'],
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
