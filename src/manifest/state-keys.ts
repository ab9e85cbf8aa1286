/**
 * How a city's state is keyed by environment, shared by validation (which
 * refuses two environments on one state) and the engine (which builds the
 * backend from it).
 */

/** pg schema names: lowercase letters, digits and underscores. */
export function pgSchemaName(city: string, env: string): string {
  return `storm_${city}_${env}`.toLowerCase().replace(/[^a-z0-9_]/g, '_');
}

/** Settings of the s3/http backends that are credentials: never in a manifest, always from the environment. */
export const BACKEND_SECRET_SETTINGS: Readonly<Record<'s3' | 'http', readonly string[]>> = {
  s3: ['access_key', 'secret_key', 'token', 'session_token', 'sse_customer_key'],
  http: ['username', 'password'],
};

/** Where those credentials come from instead (OpenTofu reads them itself). */
export const BACKEND_CREDENTIAL_ENV: Readonly<Record<'s3' | 'http', string>> = {
  s3: 'AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY (and AWS_SESSION_TOKEN) or AWS_PROFILE',
  http: 'TF_HTTP_USERNAME and TF_HTTP_PASSWORD',
};
