/**
 * Designate's records as the sandbox stores them: the public fields in the
 * shape the API answers (links and the shown status aside), plus the pending
 * change (`_pending`) the (simulated) pool manager finishes later.
 */

export const KIND = {
  zone: 'designate.zone',
  recordset: 'designate.recordset',
} as const;

/** Designate's default pool id (designate.conf `default_pool_id`), the one pool the sandbox has. */
export const DEFAULT_POOL_ID = '794ccc2c-d751-44fe-b57f-8894c9f5c842';
/** The name server the default pool announces (devstack's). */
export const NAMESERVER = 'ns1.devstack.org.';

export type Action = 'CREATE' | 'UPDATE' | 'DELETE' | 'NONE';

export interface Pending {
  /** Due time, ms since the epoch. */
  at: number;
  action: Exclude<Action, 'NONE'>;
}

export interface ZoneDoc {
  id: string;
  pool_id: string;
  project_id: string;
  name: string;
  email: string;
  ttl: number;
  serial: number;
  description: string | null;
  masters: string[];
  type: 'PRIMARY' | 'SECONDARY';
  transferred_at: string | null;
  version: number;
  created_at: string;
  updated_at: string | null;
  attributes: Record<string, string>;
  _pending: Pending | null;
}

export interface RecordSetDoc {
  id: string;
  zone_id: string;
  project_id: string;
  name: string;
  zone_name: string;
  type: string;
  records: string[];
  ttl: number | null;
  description: string | null;
  version: number;
  created_at: string;
  updated_at: string | null;
  /** SOA and NS of the zone apex: Designate keeps them, users cannot change them. */
  _managed: boolean;
  _pending: Pending | null;
}

export const RECORD_TYPES = [
  'A',
  'AAAA',
  'CNAME',
  'MX',
  'SRV',
  'TXT',
  'SPF',
  'NS',
  'PTR',
  'SSHFP',
  'SOA',
  'NAPTR',
  'CAA',
];
