/**
 * Credentials for storm's sandbox cloud. Its bootstrap user is public knowledge
 * (admin/admin in project admin, like devstack's), so nothing secret is involved.
 */
import { StormError } from '../errors';
import type { Progress } from '../progress';
import type { CloudCredentials } from './credentials';

export const SANDBOX_USER = 'admin';
export const SANDBOX_PASSWORD = 'admin';
export const SANDBOX_PROJECT = 'admin';

export function sandboxCredentials(url: string): CloudCredentials {
  const base = url.replace(/\/+$/, '');
  return {
    cloudName: 'sandbox',
    source: { kind: 'sandbox', url: base },
    auth: { type: 'password', authUrl: `${base}/identity/v3`, username: SANDBOX_USER, password: SANDBOX_PASSWORD, userDomainName: 'Default', projectName: SANDBOX_PROJECT, projectDomainName: 'Default' },
    regionName: 'RegionOne',
  };
}

export async function startSandboxCredentials(_progress: Progress, env: NodeJS.ProcessEnv = process.env): Promise<CloudCredentials> {
  const url = env.STORM_SANDBOX_URL;
  if (url !== undefined && url !== '') return sandboxCredentials(url);
  throw new StormError('sandbox', 'no sandbox running: set STORM_SANDBOX_URL to a running storm sandbox');
}
