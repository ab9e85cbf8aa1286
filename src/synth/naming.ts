/**
 * How synthesized things are named. Cloud-side names are `<city>-<env>-<thing>`
 * so two environments of one city (or two cities in one project) never collide;
 * Terraform addresses stay short and readable (`openstack_compute_instance_v2.web_1`)
 * because each stack holds one city and environment only.
 */

/** The name a resource gets in the cloud. */
export function cloudName(city: string, env: string, ...thing: (string | number)[]): string {
  return [city, env, ...thing.map(String)].join('-');
}

/** A Terraform identifier from manifest names: letters, digits, underscores; never starting with a digit. */
export function logicalId(...parts: (string | number)[]): string {
  const id = parts
    .map(String)
    .join('_')
    .replace(/[^A-Za-z0-9_]/g, '_');
  return /^[A-Za-z_]/.test(id) ? id : `_${id}`;
}

/** Labels as "key=value" tags, sorted; Neutron takes up to 255 characters each. */
export function resourceTags(labels: Readonly<Record<string, string>>, maxLength = 255): string[] {
  return Object.keys(labels)
    .sort()
    .map((k) => `${k}=${labels[k] ?? ''}`)
    .filter((t) => t.length <= maxLength);
}

/**
 * Nova's server tags are stricter (60 characters, no "/" or ","): a label that does
 * not fit is left to the instance metadata, which carries every label anyway.
 */
export function serverTags(labels: Readonly<Record<string, string>>): string[] {
  return resourceTags(labels, 60).filter((t) => !t.includes('/') && !t.includes(','));
}
