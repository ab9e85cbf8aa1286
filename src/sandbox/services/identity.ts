/**
 * Identity v3 (Keystone): password, token and application-credential auth,
 * token validate/revoke, the service catalog, domains, projects, users, groups,
 * roles and their grants (users and groups on projects, domains, the system),
 * role assignments, application credentials, services, endpoints, regions,
 * policies and trusts.
 * Shapes follow real-zed (token-issue.json and responses.json.gz). The
 * implementation lives in ./identity/; this module is what server.ts registers
 * and what other services' seeds import.
 */
export { createIdentityService } from './identity/service';
export { DEFAULT_REGION, IDENTITY_KINDS, keystoneTime, type IdentityOptions } from './identity/model';
export { adoptLogins, ensureCatalogEntries, projectIdByName } from './identity/seed';
