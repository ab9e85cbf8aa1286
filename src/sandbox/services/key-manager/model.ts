/**
 * Barbican's records as the sandbox stores them: public fields as the API
 * answers them, private ones (`_`-prefixed) for the payload, metadata and ACL.
 * A payload is kept as base64 of its bytes in the sandbox's database (Barbican's
 * simple_crypto back end keeps it encrypted under a key in its own config file;
 * the sandbox's data directory is the operator's own, 0700).
 */

export const KIND = {
  secret: 'barbican.secret',
  container: 'barbican.container',
} as const;

export const SECRET_TYPES = ['symmetric', 'public', 'private', 'passphrase', 'certificate', 'opaque'] as const;
export const CONTAINER_TYPES = ['generic', 'rsa', 'certificate'] as const;

/** The secret names each typed container accepts (barbican/common/validators.py). */
export const CONTAINER_SECRET_NAMES: Record<string, { allowed: readonly string[]; required: readonly string[] }> = {
  certificate: {
    allowed: ['certificate', 'private_key', 'private_key_passphrase', 'intermediates'],
    required: ['certificate'],
  },
  rsa: { allowed: ['public_key', 'private_key', 'private_key_passphrase'], required: ['public_key', 'private_key'] },
};

/** Barbican's own limit (`max_allowed_secret_in_bytes`). */
export const MAX_SECRET_BYTES = 20000;

/** The one ACL operation Barbican has. */
export interface AclEntry {
  project_access: boolean;
  users: string[];
  created: string;
  updated: string;
}

export interface Acl {
  read?: AclEntry;
}

export interface SecretDoc {
  id: string;
  project_id: string;
  name: string | null;
  algorithm: string | null;
  bit_length: number | null;
  mode: string | null;
  secret_type: string;
  expiration: string | null;
  created: string;
  updated: string;
  creator_id: string;
  /** base64 of the stored bytes; null until a payload is given. */
  _payload: string | null;
  /** The content type the payload was stored with (text/plain, application/octet-stream, ...). */
  _content_type: string | null;
  _metadata: Record<string, string>;
  _acl: Acl;
}

export interface ConsumerEntry {
  name: string;
  URL: string;
  created: string;
}

export interface ContainerDoc {
  id: string;
  project_id: string;
  name: string | null;
  type: string;
  created: string;
  updated: string;
  creator_id: string;
  secret_refs: { name: string | null; secret_id: string }[];
  _consumers: ConsumerEntry[];
  _acl: Acl;
}
