/**
 * Service configuration. At deploy time storm renders STORM_SERVICE_CONFIG (a
 * JSON file, see src/deploy/cloud-init.ts `ServiceRuntimeConfig`, which this
 * shape mirrors); for local runs every field has a default.
 */
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as path from 'node:path';
import { plainAddress } from './client';
import { ensureSecretFile } from './signing';

export interface ServiceConfig {
  service: string;
  version: string;
  /** country: ISO 3166-1 alpha-2, names the bodies the accessibility statement and privacy notice refer to. */
  city: { name: string; displayName: string; country?: string };
  environment: string;
  /** The manifest's `city.contacts` (the one with role `dpo` is the data protection officer). */
  contacts: Contact[];
  /** The manifest's partners: who receives data from this deployment. */
  partners: { name: string; description?: string }[];
  /** City languages in order of preference (the UI adds English); empty = every language the service ships. */
  languages: string[];
  parameters: Record<string, unknown>;
  /** Public URL of each object container the service uses, by container name. */
  objectStorage: { containers: Record<string, string> };
  /** File holding the admin/moderator bearer token; generated on first start when absent. */
  adminTokenFile: string;
  /** File holding the key that signs what the service hands out (participa's voter ids); generated on first start when absent. */
  signingKeyFile: string;
  /** The address citizens use, e.g. https://participa.agueda.pt; an https URL makes every cookie `Secure`. */
  publicUrl?: string;
  /** Addresses of reverse proxies in front of the service, whose X-Forwarded-For names the client; none by default. */
  trustedProxies: string[];
}

export interface Contact {
  name: string;
  email: string;
  role?: string;
  phone?: string;
}

export interface RuntimeEnvironment {
  port: number;
  host: string;
  dataDir: string;
  /** Root of the artifact (holds template.yaml, seed/, dist/). */
  artifactRoot: string;
  config: ServiceConfig;
  /** Changes (POSTs) one client address may make per minute: STORM_WRITE_LIMIT_PER_MINUTE, default 60. */
  writeLimitPerMinute: number;
}

/** Version from the artifact's template.yaml, so a local run reports what it ships. */
export function shippedVersion(artifactRoot: string): string {
  try {
    const text = fs.readFileSync(path.join(artifactRoot, 'template.yaml'), 'utf8');
    const m = /^version:\s*["']?([^"'\s#]+)/m.exec(text);
    return m?.[1] ?? '0.0.0';
  } catch {
    return '0.0.0';
  }
}

export function loadEnvironment(
  service: string,
  artifactRoot: string,
  env: NodeJS.ProcessEnv = process.env,
): RuntimeEnvironment {
  const dataDir = path.resolve(env.STORM_DATA_DIR ?? path.join(artifactRoot, 'data'));
  const configFile = env.STORM_SERVICE_CONFIG;
  const given: Partial<ServiceConfig> =
    configFile === undefined || configFile === ''
      ? {}
      : (JSON.parse(fs.readFileSync(configFile, 'utf8')) as Partial<ServiceConfig>);
  const config: ServiceConfig = {
    service: given.service ?? service,
    version: given.version ?? shippedVersion(artifactRoot),
    city: given.city ?? { name: 'local', displayName: 'Local' },
    environment: given.environment ?? 'local',
    contacts: given.contacts ?? [],
    partners: given.partners ?? [],
    languages: given.languages ?? [],
    parameters: given.parameters ?? {},
    objectStorage: given.objectStorage ?? { containers: {} },
    adminTokenFile: given.adminTokenFile ?? path.join(dataDir, 'admin-token'),
    signingKeyFile: given.signingKeyFile ?? path.join(dataDir, 'signing-key'),
    ...(given.publicUrl === undefined ? {} : { publicUrl: given.publicUrl }),
    trustedProxies: given.trustedProxies ?? [],
  };
  if (config.publicUrl !== undefined && !/^https?:\/\/[^\s/]+/i.test(config.publicUrl))
    throw new Error(`publicUrl must be an http:// or https:// URL, got ${JSON.stringify(config.publicUrl)}`);
  if (
    !Array.isArray(config.trustedProxies) ||
    !config.trustedProxies.every((a) => net.isIP(plainAddress(String(a))) !== 0)
  )
    throw new Error(`trustedProxies must be a list of IP addresses, got ${JSON.stringify(config.trustedProxies)}`);
  const isText = (v: unknown): boolean => typeof v === 'string' && v.length > 0 && v.length <= 300;
  if (
    !Array.isArray(config.contacts) ||
    !config.contacts.every(
      (c) =>
        typeof c === 'object' &&
        c !== null &&
        isText(c.name) &&
        isText(c.email) &&
        (c.role === undefined || isText(c.role)) &&
        (c.phone === undefined || isText(c.phone)),
    )
  )
    throw new Error('contacts must be a list of { name, email, role?, phone? }');
  if (
    !Array.isArray(config.partners) ||
    !config.partners.every(
      (p) =>
        typeof p === 'object' && p !== null && isText(p.name) && (p.description === undefined || isText(p.description)),
    )
  )
    throw new Error('partners must be a list of { name, description? }');
  if (config.city.country !== undefined && !/^[A-Z]{2}$/.test(config.city.country))
    throw new Error(`city.country must be an ISO 3166-1 alpha-2 code, got ${JSON.stringify(config.city.country)}`);
  const port = Number(env.PORT ?? '8080');
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`PORT must be a TCP port, got ${env.PORT}`);
  const writeLimitPerMinute = Number(env.STORM_WRITE_LIMIT_PER_MINUTE ?? '60');
  if (!Number.isInteger(writeLimitPerMinute) || writeLimitPerMinute < 1)
    throw new Error(`STORM_WRITE_LIMIT_PER_MINUTE must be a positive integer, got ${env.STORM_WRITE_LIMIT_PER_MINUTE}`);
  return { port, host: env.HOST ?? '0.0.0.0', dataDir, artifactRoot, config, writeLimitPerMinute };
}

/**
 * The admin token lives in a file readable only by the service user, never in
 * cloud-init or the config: created with 32 random bytes on first start.
 */
export function ensureAdminToken(file: string): string {
  return ensureSecretFile(file, 'admin token');
}

/** Compares bearer tokens in constant time. */
export function bearerMatches(header: string | undefined, expected: string): boolean {
  if (header === undefined) return false;
  const m = /^Bearer\s+(\S+)$/i.exec(header.trim());
  if (m === null || m[1] === undefined) return false;
  const a = crypto.createHash('sha256').update(m[1]).digest();
  const b = crypto.createHash('sha256').update(expected).digest();
  return crypto.timingSafeEqual(a, b);
}

export function parameter<T>(config: ServiceConfig, name: string, fallback: T): T {
  const v = config.parameters[name];
  return v === undefined ? fallback : (v as T);
}
