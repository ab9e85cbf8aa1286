/**
 * Project-wide policy settings (storm.policy.json beside stacks/): which
 * countries, regions and clouds data may live in, and which volume types are
 * encrypted. Absent file = the defaults below (EU/EEA, any region).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { StormError } from '../errors';
import type { PolicyConfig } from './policy-types';

export const POLICY_CONFIG_FILE = 'storm.policy.json';

/** EU member states plus the EEA (IS, LI, NO). */
export const EU_EEA_COUNTRIES: readonly string[] = [
  'AT',
  'BE',
  'BG',
  'CY',
  'CZ',
  'DE',
  'DK',
  'EE',
  'ES',
  'FI',
  'FR',
  'GR',
  'HR',
  'HU',
  'IE',
  'IT',
  'LT',
  'LU',
  'LV',
  'MT',
  'NL',
  'PL',
  'PT',
  'RO',
  'SE',
  'SI',
  'SK',
  'IS',
  'LI',
  'NO',
];

export const DEFAULT_POLICY_CONFIG: PolicyConfig = {
  countries: [...EU_EEA_COUNTRIES],
  regions: [],
  clouds: [],
  encryptedVolumeTypes: [],
};

function stringList(value: unknown, key: string, file: string): string[] {
  if (value === undefined) return [];
  if (!Array.isArray(value) || value.some((v) => typeof v !== 'string')) {
    throw new StormError('usage', `${file}: "${key}" must be a list of strings`, {
      hint: `e.g. { "${key}": ["..."] }`,
    });
  }
  return value as string[];
}

export function parsePolicyConfig(text: string, file: string): PolicyConfig {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (err) {
    throw new StormError('usage', `${file} is not valid JSON: ${(err as Error).message}`);
  }
  if (data === null || typeof data !== 'object' || Array.isArray(data))
    throw new StormError('usage', `${file} must hold a JSON object`);
  const known = new Set(['$schema', 'countries', 'regions', 'clouds', 'encryptedVolumeTypes']);
  for (const key of Object.keys(data)) {
    if (!known.has(key))
      throw new StormError('usage', `${file}: unknown key "${key}"`, {
        hint: `known keys: ${[...known].filter((k) => k !== '$schema').join(', ')}`,
      });
  }
  const d = data as Record<string, unknown>;
  const countries = stringList(d.countries, 'countries', file);
  return {
    countries: countries.length === 0 ? [...EU_EEA_COUNTRIES] : countries.map((c) => c.toUpperCase()),
    regions: stringList(d.regions, 'regions', file),
    clouds: stringList(d.clouds, 'clouds', file),
    encryptedVolumeTypes: stringList(d.encryptedVolumeTypes, 'encryptedVolumeTypes', file),
  };
}

export function loadPolicyConfig(cwd: string): PolicyConfig {
  const file = path.join(cwd, POLICY_CONFIG_FILE);
  if (!fs.existsSync(file)) return DEFAULT_POLICY_CONFIG;
  return parsePolicyConfig(fs.readFileSync(file, 'utf8'), POLICY_CONFIG_FILE);
}
