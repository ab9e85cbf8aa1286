/**
 * The two pages a public body must publish with a site: the accessibility
 * statement (Directive (EU) 2016/2102, model of Implementing Decision (EU)
 * 2018/1523) and the privacy notice (GDPR Art. 13). Both are generated from
 * the city's manifest (contacts, the `dpo` among them, partners, country — in
 * the service config) and what the template says about itself.
 */
import type { ServiceConfig } from './config';
import { type SafeHtml, html } from './html';
import { ACCESSIBILITY_ENFORCEMENT, LEGAL_MESSAGES, type LegalKey, SUPERVISORY_AUTHORITY } from './legal-messages';

/** When the statement's self-assessment was made, and with which engine (the browser journeys re-run it). */
export const ACCESSIBILITY_ASSESSMENT = { date: '2026-12-07', engine: '4.14' } as const;

/** The cookies a pilot may set; each has its purpose in every language (legal-messages.ts). */
export type CookieName = 'lang' | 'voter' | 'mod' | 'biz';

/** What a template says about itself, in the visitor's language. */
export interface TemplateLegalText {
  siteName: string;
  /** What personal data the site processes and why; empty when it keeps none. */
  personalData: string[];
  /** How long it keeps it (empty when it keeps none). */
  retention: string;
  /** Content that is not accessible, and the accessible alternative. */
  nonAccessible: string[];
  cookies: readonly CookieName[];
}

export function legalText(lang: string): (key: LegalKey, vars?: Record<string, string>) => string {
  const table = LEGAL_MESSAGES[lang] ?? (LEGAL_MESSAGES.en as Record<LegalKey, string>);
  return (key, vars) => {
    let text = table[key];
    for (const [name, value] of Object.entries(vars ?? {})) text = text.split(`{${name}}`).join(value);
    return text;
  };
}

function contactList(config: ServiceConfig, t: ReturnType<typeof legalText>, only?: string): SafeHtml {
  const contacts = config.contacts.filter((c) => only === undefined || c.role === only);
  const roleName = (role: string | undefined): string => {
    const key = `role.${role ?? 'contact'}` as LegalKey;
    return key in (LEGAL_MESSAGES.en as object) ? t(key) : (role ?? t('role.contact'));
  };
  return html`<ul class="contacts">
    ${contacts.map(
      (c) =>
        html`<li>
          ${c.name} (${roleName(c.role)}) — <a href="mailto:${c.email}">${c.email}</a>${
            c.phone === undefined ? '' : html`, <a href="tel:${c.phone.replace(/[^+\d]/g, '')}">${c.phone}</a>`
          }
        </li>`,
    )}
  </ul>`;
}

export function accessibilityStatement(
  config: ServiceConfig,
  lang: string,
  template: TemplateLegalText,
  siteUrl: string,
): SafeHtml {
  const t = legalText(lang);
  const city = config.city.displayName;
  const date = new Intl.DateTimeFormat(lang, { dateStyle: 'long', timeZone: 'UTC' }).format(
    new Date(`${ACCESSIBILITY_ASSESSMENT.date}T00:00:00Z`),
  );
  const body = config.city.country === undefined ? undefined : ACCESSIBILITY_ENFORCEMENT[config.city.country];
  return html`<p>${t('a11y.intro', { city, site: `${template.siteName} (${siteUrl})` })}</p>
    <h2>${t('a11y.statusTitle')}</h2>
    <p>${t('a11y.status')}</p>
    <h2>${t('a11y.nonAccessibleTitle')}</h2>
    <ul>
      ${template.nonAccessible.map((p) => html`<li>${p}</li>`)}
    </ul>
    <h2>${t('a11y.preparedTitle')}</h2>
    <p>${t('a11y.prepared', { date, engine: ACCESSIBILITY_ASSESSMENT.engine })}</p>
    <h2>${t('a11y.feedbackTitle')}</h2>
    <p>${t('a11y.feedback')}</p>
    ${contactList(config, t)}
    <h2>${t('a11y.enforcementTitle')}</h2>
    <p>
      ${body === undefined ? t('a11y.enforcementGeneric') : t('a11y.enforcement', { body: body.name })}${
        body === undefined ? '' : html` <a href="${body.url}">${body.url}</a>`
      }
    </p>`;
}

export function privacyNotice(config: ServiceConfig, lang: string, template: TemplateLegalText): SafeHtml {
  const t = legalText(lang);
  const city = config.city.displayName;
  const authority = config.city.country === undefined ? undefined : SUPERVISORY_AUTHORITY[config.city.country];
  const hasDpo = config.contacts.some((c) => c.role === 'dpo');
  return html`<h2>${t('privacy.controllerTitle')}</h2>
    <p>${t('privacy.controller', { city })}</p>
    <h2>${t('privacy.dpoTitle')}</h2>
    ${hasDpo ? contactList(config, t, 'dpo') : html`<p>${t('privacy.noDpo')}</p>`}
    <h2>${t('privacy.dataTitle')}</h2>
    ${
      template.personalData.length === 0
        ? html`<p>${t('privacy.noPersonalData')}</p>`
        : template.personalData.map((p) => html`<p>${p}</p>`)
    }
    ${
      template.retention === ''
        ? ''
        : html`<h2>${t('privacy.retentionTitle')}</h2>
            <p>${template.retention}</p>`
    }
    <h2>${t('privacy.partnersTitle')}</h2>
    ${
      config.partners.length === 0
        ? html`<p>${t('privacy.noPartners')}</p>`
        : html`<p>${t('privacy.partnersIntro')}</p>
            <ul>
              ${config.partners.map(
                (p) => html`<li>${p.name}${p.description === undefined ? '' : html` — ${p.description}`}</li>`,
              )}
            </ul>`
    }
    <h2>${t('privacy.cookiesTitle')}</h2>
    <p>${t('privacy.cookies')}</p>
    <table>
      <thead>
        <tr>
          <th scope="col">${t('privacy.cookieName')}</th>
          <th scope="col">${t('privacy.cookiePurpose')}</th>
        </tr>
      </thead>
      <tbody>
        ${template.cookies.map(
          (c) =>
            html`<tr>
              <td><code>${c}</code></td>
              <td>${t(`cookie.${c}`)}</td>
            </tr>`,
        )}
      </tbody>
    </table>
    <h2>${t('privacy.rightsTitle')}</h2>
    <p>
      ${
        authority === undefined
          ? t('privacy.rightsGeneric')
          : html`${t('privacy.rights', { authority: authority.name })} <a href="${authority.url}">${authority.url}</a>`
      }
    </p>
    <h2>${t('contacts')}</h2>
    ${contactList(config, t)}`;
}
