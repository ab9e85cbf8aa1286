/**
 * Credentials for storm's sandbox cloud (the lifecycle starts it on demand). Its
 * bootstrap user is public knowledge (admin/admin in project admin, like
 * devstack's), so nothing secret is involved.
 */
import type { CloudCredentials } from './credentials';

export const SANDBOX_USER = 'admin';
export const SANDBOX_PASSWORD = 'admin';
export const SANDBOX_PROJECT = 'admin';

export function sandboxCredentials(url: string, authUrl: string): CloudCredentials {
  return {
    cloudName: 'sandbox',
    source: { kind: 'sandbox', url },
    auth: {
      type: 'password',
      authUrl,
      username: SANDBOX_USER,
      password: SANDBOX_PASSWORD,
      userDomainName: 'Default',
      projectName: SANDBOX_PROJECT,
      projectDomainName: 'Default',
    },
    regionName: 'RegionOne',
  };
}
