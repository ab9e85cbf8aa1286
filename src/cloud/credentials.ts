/**
 * Which cloud a city targets and how to authenticate, following the OpenStack
 * client conventions: clouds.yaml + secure.yaml (OS_CLIENT_CONFIG_FILE, ./,
 * ~/.config/openstack/, /etc/openstack/), OS_CLOUD and OS_* variables. The
 * resolved secrets live only in memory and reach tofu through its environment.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { parse as parseYaml } from 'yaml';
import { StormError } from '../errors';
import { registerSecret, registerSecretLines, registerSecretsIn } from '../redact';

export type CloudAuth =
  | {
      type: 'password';
      authUrl: string;
      username?: string;
      userId?: string;
      password: string;
      userDomainName?: string;
      userDomainId?: string;
      projectName?: string;
      projectId?: string;
      projectDomainName?: string;
      projectDomainId?: string;
    }
  | {
      /** An existing Keystone token (auth.token, OS_TOKEN), scoped to the project on use. */
      type: 'token';
      authUrl: string;
      token: string;
      projectName?: string;
      projectId?: string;
      projectDomainName?: string;
      projectDomainId?: string;
    }
  | {
      type: 'v3applicationcredential';
      authUrl: string;
      applicationCredentialId?: string;
      applicationCredentialName?: string;
      applicationCredentialSecret: string;
      username?: string;
      userDomainName?: string;
    };

/** Where the credentials came from, for messages (never the secret itself). */
export type CredentialSource =
  | { kind: 'clouds-yaml'; file: string; secureFile?: string }
  | { kind: 'environment' }
  | { kind: 'sandbox'; url: string };

export interface CloudCredentials {
  /** The cloud name as the manifest (or OS_CLOUD) spells it. */
  cloudName: string;
  source: CredentialSource;
  auth: CloudAuth;
  regionName?: string;
  interface?: string;
  /** PEM file of the CA (bundle) that signed the cloud's certificates. */
  cacert?: string;
  /** PEM files of a client certificate and its key (mutual TLS). */
  cert?: string;
  key?: string;
  insecure?: boolean;
}

/** The target of one city: a configured cloud, or storm's sandbox that is still to be started. */
export type CloudTarget =
  { kind: 'configured'; credentials: CloudCredentials } | { kind: 'sandbox'; cloudName: string };

export interface CredentialLookup {
  /** Project directory: its clouds.yaml is the first file looked at after OS_CLIENT_CONFIG_FILE. */
  cwd: string;
  env: NodeJS.ProcessEnv;
  /** Home directory (tests pass a temp dir). */
  home?: string;
  /** System config dir, /etc/openstack unless a test says otherwise. */
  etcDir?: string;
}

export const SANDBOX_CLOUD_NAME = 'sandbox';

/**
 * Files in the order openstacksdk searches them (its CONFIG_FILES: each folder with .yaml, .yml,
 * then .json); the first one that exists wins.
 */
export function configSearchPaths(fileName: 'clouds.yaml' | 'secure.yaml', lookup: CredentialLookup): string[] {
  const home = lookup.home ?? os.homedir();
  const etc = lookup.etcDir ?? '/etc/openstack';
  const explicit = fileName === 'clouds.yaml' ? lookup.env.OS_CLIENT_CONFIG_FILE : lookup.env.OS_CLIENT_SECURE_FILE;
  const base = fileName.replace(/\.yaml$/, '');
  const paths = [lookup.cwd, path.join(home, '.config', 'openstack'), etc].flatMap((dir) =>
    ['.yaml', '.yml', '.json'].map((suffix) => path.join(dir, `${base}${suffix}`)),
  );
  return explicit !== undefined && explicit !== '' ? [path.resolve(lookup.cwd, explicit), ...paths] : paths;
}

interface LoadedCloudsFile {
  file: string;
  clouds: Record<string, unknown>;
}

function loadCloudsFile(file: string): LoadedCloudsFile {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (err) {
    throw new StormError('cloud', `cannot read ${file}: ${(err as Error).message}`);
  }
  let doc: unknown;
  try {
    doc = parseYaml(text);
  } catch (err) {
    // The parser's message quotes the offending line, which in a credentials file is
    // likely a password: say where and what kind of error, never the text.
    registerSecretLines(text);
    throw new StormError('cloud', `${file} is not valid YAML (${yamlErrorPosition(err)})`, {
      hint: `open ${file} at that position and fix the syntax; storm never quotes a credentials file`,
    });
  }
  registerSecretsIn(doc);
  const clouds = isRecord(doc) && isRecord(doc.clouds) ? doc.clouds : undefined;
  if (clouds === undefined)
    throw new StormError('cloud', `${file} has no "clouds:" mapping`, {
      hint: 'see https://docs.openstack.org/openstacksdk/latest/user/config/configuration.html',
    });
  return { file, clouds };
}

/** "line 4, column 17: block as implicit key" from a yaml parse error, without its source excerpt. */
function yamlErrorPosition(err: unknown): string {
  const e = err as { linePos?: { line: number; col: number }[]; code?: unknown };
  const pos = e.linePos?.[0];
  const kind = typeof e.code === 'string' ? e.code.toLowerCase().replace(/_/g, ' ') : 'syntax error';
  return pos === undefined ? kind : `line ${pos.line}, column ${pos.col}: ${kind}`;
}

function firstExisting(paths: string[]): string | undefined {
  return paths.find((p) => fs.existsSync(p));
}

/**
 * Resolves the target of a manifest's `cloud.name`. OS_CLOUD, when set, names the
 * entry instead (the client convention). Only the name "sandbox" means storm's local sandbox: a manifest
 * (or OS_CLOUD) naming any other cloud that is not configured fails, so a CI job whose secrets are missing
 * can never "succeed" against a local cloud.
 */
export function resolveCloudTarget(manifestCloudName: string, lookup: CredentialLookup): CloudTarget {
  const env = lookup.env;
  const osCloud = nonEmpty(env.OS_CLOUD);
  const name = osCloud ?? manifestCloudName;
  const cloudsFile = firstExisting(configSearchPaths('clouds.yaml', lookup));
  const secureFile = firstExisting(configSearchPaths('secure.yaml', lookup));
  const loaded = cloudsFile === undefined ? undefined : loadCloudsFile(cloudsFile);
  const secure = secureFile === undefined ? undefined : loadCloudsFile(secureFile);
  const entry = loaded?.clouds[name];
  if (loaded !== undefined && entry !== undefined) {
    const merged = deepMerge(
      isRecord(entry) ? entry : {},
      isRecord(secure?.clouds[name]) ? (secure.clouds[name] as Record<string, unknown>) : {},
    );
    refuseEnvironmentSecretsForProjectCloud(name, loaded.file, merged, lookup);
    return {
      kind: 'configured',
      credentials: credentialsFromEntry(
        name,
        merged,
        {
          kind: 'clouds-yaml',
          file: loaded.file,
          ...(secure !== undefined && secure.clouds[name] !== undefined ? { secureFile: secure.file } : {}),
        },
        env,
      ),
    };
  }
  // openstacksdk calls the cloud of the OS_* variables "envvars" (or OS_CLOUD_NAME): OS_CLOUD may name it.
  const environmentCloud = nonEmpty(env.OS_CLOUD_NAME) ?? 'envvars';
  if (nonEmpty(env.OS_AUTH_URL) !== undefined && (osCloud === undefined || osCloud === environmentCloud)) {
    return { kind: 'configured', credentials: credentialsFromEnvironment(name, env) };
  }
  if (name === SANDBOX_CLOUD_NAME) return { kind: 'sandbox', cloudName: name };
  const known = loaded === undefined ? [] : Object.keys(loaded.clouds).sort();
  const suggestion = didYouMean(name, known);
  throw new StormError(
    'cloud',
    loaded === undefined
      ? `cloud "${name}"${osCloud !== undefined ? ' (from OS_CLOUD)' : ''} is not configured: no clouds.yaml found (searched: ${configSearchPaths('clouds.yaml', lookup).join(', ')})${osCloud === undefined ? ', and OS_AUTH_URL is not set' : ''}; storm uses its local sandbox only for a cloud named "sandbox"`
      : `unknown cloud "${name}"${osCloud !== undefined ? ' (from OS_CLOUD)' : ''}: ${loaded.file} defines ${known.length === 0 ? 'no clouds' : known.map((k) => `"${k}"`).join(', ')}`,
    {
      hint:
        suggestion !== undefined
          ? `did you mean "${suggestion}"?`
          : `add a "${name}" entry to clouds.yaml, set OS_AUTH_URL and the other OS_* variables, or set cloud.name to "sandbox" to rehearse locally`,
    },
  );
}

/**
 * A clouds.yaml found in the project directory comes with the repository being planned: whoever can push to it
 * chooses its `auth_url`. Secrets taken from the operator's environment (OS_PASSWORD,
 * OS_APPLICATION_CREDENTIAL_SECRET — typically CI secrets) are never sent there silently: storm refuses unless
 * the operator names the file (OS_CLIENT_CONFIG_FILE) or says the project's file is trusted.
 */
function refuseEnvironmentSecretsForProjectCloud(
  name: string,
  file: string,
  merged: Record<string, unknown>,
  lookup: CredentialLookup,
): void {
  const env = lookup.env;
  if (path.resolve(file) !== path.resolve(lookup.cwd, 'clouds.yaml')) return;
  if (nonEmpty(env.OS_CLIENT_CONFIG_FILE) !== undefined) return;
  if (env.STORM_TRUST_PROJECT_CLOUDS === '1') return;
  const auth = isRecord(merged.auth) ? merged.auth : {};
  const fromEnvironment = [
    str(auth.password) === undefined && nonEmpty(env.OS_PASSWORD) !== undefined ? 'OS_PASSWORD' : undefined,
    str(auth.application_credential_secret) === undefined &&
    nonEmpty(env.OS_APPLICATION_CREDENTIAL_SECRET) !== undefined
      ? 'OS_APPLICATION_CREDENTIAL_SECRET'
      : undefined,
  ].filter((v): v is string => v !== undefined);
  if (fromEnvironment.length === 0) return;
  throw new StormError(
    'cloud',
    `cloud "${name}" comes from ${file}, inside the project being planned, and its secret would come from ${fromEnvironment.join(' and ')} in the environment: storm does not send environment secrets to an auth_url the repository chose (${str(auth.auth_url) ?? 'none'})`,
    {
      hint: 'keep clouds.yaml outside the repository (~/.config/openstack/clouds.yaml), name it explicitly with OS_CLIENT_CONFIG_FILE, or set STORM_TRUST_PROJECT_CLOUDS=1 if this file is trusted',
    },
  );
}

function credentialsFromEntry(
  name: string,
  entry: Record<string, unknown>,
  source: CredentialSource,
  env: NodeJS.ProcessEnv,
): CloudCredentials {
  const auth = isRecord(entry.auth) ? entry.auth : {};
  const authType =
    str(entry.auth_type) ??
    (str(auth.application_credential_secret) !== undefined
      ? 'v3applicationcredential'
      : str(auth.token) !== undefined && str(auth.password) === undefined
        ? 'token'
        : 'password');
  const where = source.kind === 'clouds-yaml' ? source.file : 'the environment';
  const authUrl = str(auth.auth_url);
  if (authUrl === undefined)
    throw new StormError('cloud', `cloud "${name}" in ${where} has no auth.auth_url`, {
      hint: 'set auth.auth_url to the Keystone endpoint, e.g. https://keystone.example.org:5000/v3',
    });
  return {
    cloudName: name,
    source,
    auth: buildAuth(name, where, authType, {
      authUrl,
      username: str(auth.username),
      userId: str(auth.user_id),
      // A password kept out of clouds.yaml may come from OS_PASSWORD.
      password: str(auth.password) ?? nonEmpty(env.OS_PASSWORD),
      userDomainName: str(auth.user_domain_name) ?? str(auth.domain_name),
      userDomainId: str(auth.user_domain_id) ?? str(auth.domain_id),
      projectName: str(auth.project_name) ?? str(auth.tenant_name),
      projectId: str(auth.project_id) ?? str(auth.tenant_id),
      projectDomainName: str(auth.project_domain_name) ?? str(auth.domain_name),
      projectDomainId: str(auth.project_domain_id) ?? str(auth.domain_id),
      applicationCredentialId: str(auth.application_credential_id),
      applicationCredentialName: str(auth.application_credential_name),
      applicationCredentialSecret:
        str(auth.application_credential_secret) ?? nonEmpty(env.OS_APPLICATION_CREDENTIAL_SECRET),
      token: str(auth.token),
    }),
    ...optional(
      'regionName',
      regionOf(name, source.kind === 'clouds-yaml' ? source.file : 'the environment', entry, env),
    ),
    ...optional('interface', str(entry.interface) ?? str(entry.endpoint_type)),
    ...optional('cacert', str(entry.cacert)),
    ...optional('cert', str(entry.cert)),
    ...optional('key', str(entry.key)),
    ...(entry.verify === false || entry.insecure === true ? { insecure: true } : {}),
  };
}

function credentialsFromEnvironment(name: string, env: NodeJS.ProcessEnv): CloudCredentials {
  const authType =
    nonEmpty(env.OS_AUTH_TYPE) ??
    (nonEmpty(env.OS_APPLICATION_CREDENTIAL_SECRET) !== undefined
      ? 'v3applicationcredential'
      : (nonEmpty(env.OS_TOKEN) ?? nonEmpty(env.OS_AUTH_TOKEN)) !== undefined && nonEmpty(env.OS_PASSWORD) === undefined
        ? 'token'
        : 'password');
  return {
    cloudName: name,
    source: { kind: 'environment' },
    auth: buildAuth(name, 'the OS_* environment variables', authType, {
      authUrl: nonEmpty(env.OS_AUTH_URL) ?? '',
      username: nonEmpty(env.OS_USERNAME),
      userId: nonEmpty(env.OS_USER_ID),
      password: nonEmpty(env.OS_PASSWORD),
      userDomainName: nonEmpty(env.OS_USER_DOMAIN_NAME) ?? nonEmpty(env.OS_DOMAIN_NAME),
      userDomainId: nonEmpty(env.OS_USER_DOMAIN_ID) ?? nonEmpty(env.OS_DOMAIN_ID),
      projectName: nonEmpty(env.OS_PROJECT_NAME) ?? nonEmpty(env.OS_TENANT_NAME),
      projectId: nonEmpty(env.OS_PROJECT_ID) ?? nonEmpty(env.OS_TENANT_ID),
      projectDomainName: nonEmpty(env.OS_PROJECT_DOMAIN_NAME) ?? nonEmpty(env.OS_DOMAIN_NAME),
      projectDomainId: nonEmpty(env.OS_PROJECT_DOMAIN_ID) ?? nonEmpty(env.OS_DOMAIN_ID),
      applicationCredentialId: nonEmpty(env.OS_APPLICATION_CREDENTIAL_ID),
      applicationCredentialName: nonEmpty(env.OS_APPLICATION_CREDENTIAL_NAME),
      applicationCredentialSecret: nonEmpty(env.OS_APPLICATION_CREDENTIAL_SECRET),
      token: nonEmpty(env.OS_TOKEN) ?? nonEmpty(env.OS_AUTH_TOKEN),
    }),
    ...optional('regionName', nonEmpty(env.OS_REGION_NAME)),
    ...optional('interface', nonEmpty(env.OS_INTERFACE) ?? nonEmpty(env.OS_ENDPOINT_TYPE)),
    ...optional('cacert', nonEmpty(env.OS_CACERT)),
    ...optional('cert', nonEmpty(env.OS_CERT)),
    ...optional('key', nonEmpty(env.OS_KEY)),
    ...(env.OS_INSECURE === 'true' || env.OS_INSECURE === '1' ? { insecure: true } : {}),
  };
}

/**
 * The region as openstacksdk picks it: the cloud's known regions are `regions` (names or {name})
 * or else `region_name`; OS_REGION_NAME selects one of them (an unknown one is an error there too),
 * and without it the first known region applies.
 */
function regionOf(
  name: string,
  where: string,
  entry: Record<string, unknown>,
  env: NodeJS.ProcessEnv,
): string | undefined {
  const listed = Array.isArray(entry.regions)
    ? entry.regions.map((r) => (isRecord(r) ? str(r.name) : str(r))).filter((r): r is string => r !== undefined)
    : [];
  const single = str(entry.region_name);
  const known = listed.length > 0 ? listed : single !== undefined ? [single] : [];
  const wanted = nonEmpty(env.OS_REGION_NAME);
  if (wanted === undefined) return known[0];
  if (known.length > 0 && !known.includes(wanted))
    throw new StormError(
      'cloud',
      `OS_REGION_NAME "${wanted}" is not a region of cloud "${name}": ${where} lists ${known.map((r) => `"${r}"`).join(', ')}`,
      { hint: 'unset OS_REGION_NAME or name one of those regions (region names are case-sensitive)' },
    );
  return wanted;
}

interface RawAuth {
  authUrl: string;
  username: string | undefined;
  userId: string | undefined;
  password: string | undefined;
  userDomainName: string | undefined;
  userDomainId: string | undefined;
  projectName: string | undefined;
  projectId: string | undefined;
  projectDomainName: string | undefined;
  projectDomainId: string | undefined;
  applicationCredentialId: string | undefined;
  applicationCredentialName: string | undefined;
  applicationCredentialSecret: string | undefined;
  token: string | undefined;
}

function buildAuth(name: string, where: string, authType: string, raw: RawAuth): CloudAuth {
  // Whatever storm resolved as a secret is masked in every output and audit record from now on.
  registerSecret(raw.password);
  registerSecret(raw.applicationCredentialSecret);
  registerSecret(raw.token);
  switch (authType) {
    case 'token':
    case 'v3token': {
      if (raw.token === undefined)
        throw new StormError('cloud', `cloud "${name}" (${where}) uses token auth but no token is set`, {
          hint: 'set auth.token (or OS_TOKEN), e.g. from `openstack token issue -f value -c id`',
        });
      return {
        type: 'token',
        authUrl: raw.authUrl,
        token: raw.token,
        ...optional('projectName', raw.projectName),
        ...optional('projectId', raw.projectId),
        ...optional(
          'projectDomainName',
          raw.projectDomainName ??
            (raw.projectDomainId === undefined && raw.projectId === undefined && raw.projectName !== undefined
              ? 'Default'
              : undefined),
        ),
        ...optional('projectDomainId', raw.projectDomainId),
      };
    }
    case 'password':
    case 'v3password': {
      if (raw.password === undefined)
        throw new StormError('cloud', `cloud "${name}" (${where}) uses password auth but no password is set`, {
          hint: 'put it in secure.yaml (auth.password) or export OS_PASSWORD',
        });
      if (raw.username === undefined && raw.userId === undefined)
        throw new StormError('cloud', `cloud "${name}" (${where}) has no username`, {
          hint: 'set auth.username (or OS_USERNAME)',
        });
      return {
        type: 'password',
        authUrl: raw.authUrl,
        password: raw.password,
        ...optional('username', raw.username),
        ...optional('userId', raw.userId),
        ...optional(
          'userDomainName',
          raw.userDomainName ?? (raw.userDomainId === undefined && raw.userId === undefined ? 'Default' : undefined),
        ),
        ...optional('userDomainId', raw.userDomainId),
        ...optional('projectName', raw.projectName),
        ...optional('projectId', raw.projectId),
        ...optional(
          'projectDomainName',
          raw.projectDomainName ??
            (raw.projectDomainId === undefined && raw.projectId === undefined && raw.projectName !== undefined
              ? 'Default'
              : undefined),
        ),
        ...optional('projectDomainId', raw.projectDomainId),
      };
    }
    case 'v3applicationcredential': {
      if (raw.applicationCredentialSecret === undefined)
        throw new StormError(
          'cloud',
          `cloud "${name}" (${where}) uses an application credential but no secret is set`,
          { hint: 'set auth.application_credential_secret (or OS_APPLICATION_CREDENTIAL_SECRET)' },
        );
      if (raw.applicationCredentialId === undefined && raw.applicationCredentialName === undefined)
        throw new StormError('cloud', `cloud "${name}" (${where}) has no application_credential_id`, {
          hint: 'set auth.application_credential_id',
        });
      return {
        type: 'v3applicationcredential',
        authUrl: raw.authUrl,
        applicationCredentialSecret: raw.applicationCredentialSecret,
        ...optional('applicationCredentialId', raw.applicationCredentialId),
        ...optional('applicationCredentialName', raw.applicationCredentialName),
        ...optional('username', raw.username),
        ...optional('userDomainName', raw.userDomainName),
      };
    }
    default:
      throw new StormError(
        'cloud',
        `cloud "${name}" (${where}) uses auth_type "${authType}", which storm does not support`,
        { hint: 'use "password", "v3applicationcredential" or "token"' },
      );
  }
}

/**
 * The OS_* environment handed to tofu: the provider reads these, so no secret is
 * ever written to a file storm keeps. OS_CLOUD and clouds.yaml lookups are
 * neutralised so the provider cannot pick a different entry than pre-flight did.
 */
export function tofuCloudEnvironment(credentials: CloudCredentials): Record<string, string | undefined> {
  const a = credentials.auth;
  const env: Record<string, string | undefined> = {};
  for (const key of OS_VARIABLES) env[key] = undefined;
  env.OS_AUTH_URL = a.authUrl;
  switch (a.type) {
    case 'password':
      env.OS_AUTH_TYPE = 'password';
      env.OS_PASSWORD = a.password;
      env.OS_USERNAME = a.username;
      env.OS_USER_ID = a.userId;
      env.OS_USER_DOMAIN_NAME = a.userDomainName;
      env.OS_USER_DOMAIN_ID = a.userDomainId;
      env.OS_PROJECT_NAME = a.projectName;
      env.OS_PROJECT_ID = a.projectId;
      env.OS_PROJECT_DOMAIN_NAME = a.projectDomainName;
      env.OS_PROJECT_DOMAIN_ID = a.projectDomainId;
      break;
    case 'token':
      // The provider authenticates with OS_TOKEN and scopes it to the project named here.
      env.OS_TOKEN = a.token;
      env.OS_PROJECT_NAME = a.projectName;
      env.OS_PROJECT_ID = a.projectId;
      env.OS_PROJECT_DOMAIN_NAME = a.projectDomainName;
      env.OS_PROJECT_DOMAIN_ID = a.projectDomainId;
      break;
    case 'v3applicationcredential':
      env.OS_AUTH_TYPE = 'v3applicationcredential';
      env.OS_APPLICATION_CREDENTIAL_ID = a.applicationCredentialId;
      env.OS_APPLICATION_CREDENTIAL_NAME = a.applicationCredentialName;
      env.OS_APPLICATION_CREDENTIAL_SECRET = a.applicationCredentialSecret;
      env.OS_USERNAME = a.username;
      env.OS_USER_DOMAIN_NAME = a.userDomainName;
      break;
  }
  env.OS_REGION_NAME = credentials.regionName;
  env.OS_INTERFACE = credentials.interface;
  env.OS_CACERT = credentials.cacert;
  env.OS_CERT = credentials.cert;
  env.OS_KEY = credentials.key;
  if (credentials.insecure === true) env.OS_INSECURE = 'true';
  return env;
}

/** Every OS_* variable the provider reads; cleared before storm sets its own. */
export const OS_VARIABLES = [
  'OS_CLOUD',
  'OS_CLOUD_NAME',
  'OS_CLIENT_CONFIG_FILE',
  'OS_CLIENT_SECURE_FILE',
  'OS_AUTH_URL',
  'OS_AUTH_TYPE',
  'OS_USERNAME',
  'OS_USER_ID',
  'OS_PASSWORD',
  'OS_TOKEN',
  'OS_AUTH_TOKEN',
  'OS_USER_DOMAIN_NAME',
  'OS_USER_DOMAIN_ID',
  'OS_PROJECT_NAME',
  'OS_PROJECT_ID',
  'OS_TENANT_NAME',
  'OS_TENANT_ID',
  'OS_PROJECT_DOMAIN_NAME',
  'OS_PROJECT_DOMAIN_ID',
  'OS_DOMAIN_NAME',
  'OS_DOMAIN_ID',
  'OS_DEFAULT_DOMAIN',
  'OS_APPLICATION_CREDENTIAL_ID',
  'OS_APPLICATION_CREDENTIAL_NAME',
  'OS_APPLICATION_CREDENTIAL_SECRET',
  'OS_REGION_NAME',
  'OS_INTERFACE',
  'OS_ENDPOINT_TYPE',
  'OS_CACERT',
  'OS_CERT',
  'OS_KEY',
  'OS_INSECURE',
] as const;

/** Every secret value of these credentials, so outputs can be checked for leaks. */
export function secretValues(credentials: CloudCredentials): string[] {
  const a = credentials.auth;
  return a.type === 'password' ? [a.password] : a.type === 'token' ? [a.token] : [a.applicationCredentialSecret];
}

/** One-line description of the target, safe to print. */
export function describeCredentials(credentials: CloudCredentials): string {
  const a = credentials.auth;
  const who =
    a.type === 'password'
      ? `user ${a.username ?? a.userId ?? '?'}${a.projectName !== undefined ? ` / project ${a.projectName}` : a.projectId !== undefined ? ` / project ${a.projectId}` : ''}`
      : a.type === 'token'
        ? `a token${a.projectName !== undefined ? ` / project ${a.projectName}` : a.projectId !== undefined ? ` / project ${a.projectId}` : ''}`
        : `application credential ${a.applicationCredentialId ?? a.applicationCredentialName ?? '?'}`;
  const from =
    credentials.source.kind === 'clouds-yaml'
      ? credentials.source.file
      : credentials.source.kind === 'environment'
        ? 'OS_* variables'
        : credentials.source.url;
  return `cloud "${credentials.cloudName}" (${who} at ${a.authUrl}, from ${from})`;
}

export function didYouMean(wanted: string, candidates: readonly string[]): string | undefined {
  let best: { name: string; distance: number } | undefined;
  for (const c of candidates) {
    const d = editDistance(wanted.toLowerCase(), c.toLowerCase());
    if (best === undefined || d < best.distance) best = { name: c, distance: d };
  }
  if (best === undefined) return undefined;
  return best.distance <= Math.max(2, Math.floor(wanted.length / 3)) ? best.name : undefined;
}

function editDistance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    let prev = row[0] ?? 0;
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const cur = row[j] ?? 0;
      row[j] = Math.min(cur + 1, (row[j - 1] ?? 0) + 1, prev + (a[i - 1] === b[j - 1] ? 0 : 1));
      prev = cur;
    }
  }
  return row[b.length] ?? 0;
}

function deepMerge(base: Record<string, unknown>, over: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = { ...base };
  for (const [k, v] of Object.entries(over)) {
    const b = out[k];
    out[k] = isRecord(b) && isRecord(v) ? deepMerge(b, v) : v;
  }
  return out;
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function str(v: unknown): string | undefined {
  if (typeof v === 'string' && v !== '') return v;
  if (typeof v === 'number') return String(v);
  return undefined;
}

function nonEmpty(v: string | undefined): string | undefined {
  return v === undefined || v === '' ? undefined : v;
}

function optional<K extends string, V>(key: K, value: V | undefined): { [P in K]?: V } {
  return (value === undefined ? {} : { [key]: value }) as { [P in K]?: V };
}
