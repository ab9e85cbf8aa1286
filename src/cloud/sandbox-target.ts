/**
 * Credentials for storm's sandbox cloud (the lifecycle starts it on demand). Its
 * bootstrap user `admin` (project admin) has a random password per data
 * directory, which storm reads from the sandbox's own files (sandbox/control.ts).
 */
import type { CloudCredentials } from './credentials';

export const SANDBOX_USER = 'admin';
export const SANDBOX_PROJECT = 'admin';

export function sandboxCredentials(url: string, authUrl: string, password: string, cacert?: string): CloudCredentials {
  return {
    cloudName: 'sandbox',
    source: { kind: 'sandbox', url },
    auth: {
      type: 'password',
      authUrl,
      username: SANDBOX_USER,
      password,
      userDomainName: 'Default',
      projectName: SANDBOX_PROJECT,
      projectDomainName: 'Default',
    },
    regionName: 'RegionOne',
    // A sandbox started with --tls serves HTTPS signed by its own CA.
    ...(cacert === undefined ? {} : { cacert }),
  };
}
