/**
 * The one redaction of secrets storm knows about. Every message and JSON
 * document the CLI writes (cli/output.ts) and every audit record (before it is
 * sealed into the chain, where it could never be removed) goes through
 * `redactText` / `redactValue`.
 *
 * What counts as a secret:
 * - values registered while credentials are read (clouds.yaml / secure.yaml
 *   passwords, application credential secrets, tokens, any `*_secret` key, the
 *   state backend's connection string);
 * - the values of environment variables whose name says secret (OS_PASSWORD,
 *   OS_APPLICATION_CREDENTIAL_SECRET, OS_TOKEN, AWS_SECRET_ACCESS_KEY,
 *   TF_HTTP_PASSWORD, ...*_PASSWORD/_SECRET/_TOKEN);
 * - by shape: a password inside a URL (`scheme://user:pw@`), and in audit
 *   records also `password=...`-style pairs.
 *
 * A leaf module (imports nothing of storm), so the CLI, the core and the audit
 * log share the same list.
 */

export const MASKED = '(masked)';

/** Shorter values would mask ordinary words and give no secrecy anyway. */
const MIN_SECRET_LENGTH = 4;

/** Names of environment variables whose values are secrets. */
const SECRET_ENV_NAME =
  /(PASSWORD|PASSWD|SECRET|TOKEN|CREDENTIAL|PRIVATE_KEY|API_KEY|ACCESS_KEY|CONNECTION_STRING|CONN_STR|DATABASE_URL|_DSN|AUDIT_KEY)$/i;

/** Keys (in clouds.yaml, JSON documents) whose values are secrets. */
const SECRET_KEY_NAME =
  /^(password|passwd|token|auth_token|secret|private_key|.*_secret|.*_password|.*_token|.*_private_key|secret_.*)$/i;

const registered = new Set<string>();

/** Remembers one secret value for the rest of the process; short or empty values are ignored. */
export function registerSecret(value: string | undefined): void {
  if (value === undefined) return;
  const v = value.trim();
  if (v.length < MIN_SECRET_LENGTH) return;
  registered.add(v);
  // A secret may also travel URL-encoded (a password inside a connection string).
  const encoded = encodeURIComponent(v);
  if (encoded !== v) registered.add(encoded);
}

/** True for a key whose value storm treats as a secret (`password`, `application_credential_secret`, `*_token`, ...). */
export function isSecretKey(name: string): boolean {
  return SECRET_KEY_NAME.test(name);
}

/** True for an environment variable whose value is a secret. */
export function isSecretEnvName(name: string): boolean {
  return SECRET_ENV_NAME.test(name);
}

/**
 * Registers every secret-looking value of a parsed document (clouds.yaml,
 * secure.yaml): the value of each key named like a secret, at any depth.
 */
export function registerSecretsIn(doc: unknown): void {
  if (Array.isArray(doc)) {
    for (const v of doc) registerSecretsIn(v);
    return;
  }
  if (typeof doc !== 'object' || doc === null) return;
  for (const [k, v] of Object.entries(doc as Record<string, unknown>)) {
    if (isSecretKey(k) && (typeof v === 'string' || typeof v === 'number')) registerSecret(String(v));
    else registerSecretsIn(v);
  }
}

/**
 * Registers the values of `key: value` lines whose key is named like a secret,
 * for a file that does not parse: what a broken credentials file holds must stay
 * secret even though storm cannot read it as YAML.
 */
export function registerSecretLines(text: string): void {
  for (const line of text.split(/\r?\n/)) {
    const m = /^[\s-]*["']?([A-Za-z0-9_-]+)["']?\s*:\s*(.*)$/.exec(line);
    if (m === null || !isSecretKey(m[1] ?? '')) continue;
    let value = (m[2] ?? '').trim();
    // Keep the bare value, and also the value without its quotes or a trailing comment.
    registerSecret(value);
    value = value
      .replace(/\s+#.*$/, '')
      .replace(/^["']/, '')
      .replace(/["']$/, '');
    registerSecret(value);
  }
}

/** Every secret value known now: registered ones and those of secret-named environment variables. */
export function knownSecrets(env: Readonly<Record<string, string | undefined>> = process.env): string[] {
  const out = new Set(registered);
  for (const [name, value] of Object.entries(env)) {
    if (value === undefined || value.trim().length < MIN_SECRET_LENGTH) continue;
    if (isSecretEnvName(name)) out.add(value.trim());
  }
  // Longest first, so a secret that contains another is masked whole.
  return [...out].sort((a, b) => b.length - a.length || (a < b ? -1 : 1));
}

/** Masks every known secret value and any password inside a URL (`scheme://user:password@`). */
export function redactText(text: string, env: Readonly<Record<string, string | undefined>> = process.env): string {
  return redactWith(text, knownSecrets(env));
}

/**
 * Also masks credential-shaped pairs (`password=...`, `token: ...`,
 * `application_credential_secret: ...`) — for free text storm keeps for good
 * (audit records), where a false positive costs nothing. Output to the user
 * keeps them, so a value storm itself prints on purpose stays readable.
 */
export function redactFreeText(text: string, env: Readonly<Record<string, string | undefined>> = process.env): string {
  return redactWith(text, knownSecrets(env)).replace(
    /\b(\w*(?:password|passwd|secret|token|api[_-]?key))(\s*[=:]\s*)(?!\(masked\))("[^"]*"|'[^']*'|[^\s,;)}\]]+)/gi,
    `$1$2${MASKED}`,
  );
}

/** A copy of a JSON-like value with every string passed through `redactText`. */
export function redactValue<T>(value: T, env: Readonly<Record<string, string | undefined>> = process.env): T {
  const secrets = knownSecrets(env);
  const walk = (v: unknown): unknown => {
    if (typeof v === 'string') return redactWith(v, secrets);
    if (Array.isArray(v)) return v.map(walk);
    if (typeof v === 'object' && v !== null) {
      const out: Record<string, unknown> = {};
      for (const [k, x] of Object.entries(v as Record<string, unknown>)) out[k] = walk(x);
      return out;
    }
    return v;
  };
  return walk(value) as T;
}

function redactWith(text: string, secrets: readonly string[]): string {
  let out = text;
  for (const secret of secrets) if (out.includes(secret)) out = out.split(secret).join(MASKED);
  return out.replace(/\b([a-z][a-z0-9+.-]*:\/\/[^:/\s@]+:)[^@\s]+@/gi, `$1${MASKED}@`);
}

/** For tests: forget the registered secrets. */
export function forgetSecrets(): void {
  registered.clear();
}
