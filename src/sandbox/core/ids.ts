/**
 * Ids a client may choose (Glance's image `id` on create) are UUIDs, as every
 * OpenStack service's schema requires; anything else is refused before it can
 * name a row or a file.
 */

/** Glance's schema pattern for an image id (8-4-4-4-12 hex digits, either case). */
export const UUID_PATTERN = '^([0-9a-fA-F]){8}-([0-9a-fA-F]){4}-([0-9a-fA-F]){4}-([0-9a-fA-F]){4}-([0-9a-fA-F]){12}$';

const UUID = new RegExp(UUID_PATTERN);

export function isUuid(value: unknown): value is string {
  return typeof value === 'string' && UUID.test(value);
}
