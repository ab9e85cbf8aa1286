/* eslint-disable */
/**
 * GENERATED from template.schema.json by src/manifest/generate-types.mjs
 * (npm run gen:types). Do not edit: change the schema and regenerate.
 */

/**
 * A DNS-safe name: lower-case letters, digits and hyphens, starting with a letter, at most 63 characters.
 *
 * This interface was referenced by `TemplateDefinition`'s JSON-Schema
 * via the `definition` "name".
 */
export type Name = string;
/**
 * Compute flavor name.
 *
 * This interface was referenced by `TemplateDefinition`'s JSON-Schema
 * via the `definition` "flavor".
 */
export type Flavor = string;

/**
 * A storm service template (templates/<name>/template.yaml): what the application is, the parameters a city may set, and the infrastructure it needs.
 */
export interface TemplateDefinition {
  /**
   * The template's name; equals its directory under templates/.
   */
  name: string;
  /**
   * Semantic version of the application (MAJOR.MINOR.PATCH); /healthz reports it and the deploy step rolls it out.
   */
  version: string;
  /**
   * What the service does, for people choosing a template.
   */
  description: string;
  /**
   * Interface languages the application ships (ISO 639-1); English is always one of them.
   *
   * @minItems 1
   */
  languages: [string, ...string[]];
  /**
   * How the artifact runs.
   */
  runtime: {
    /**
     * Node.js versions the application runs on, as ">=MAJOR".
     */
    node: string;
    /**
     * Entry script inside the artifact, relative to its root.
     */
    entry: string;
  };
  /**
   * JSON Schema (2020-12) of the parameters a manifest's service entry may set; an object schema whose properties carry defaults.
   */
  parameters: {
    $schema?: 'https://json-schema.org/draft/2020-12/schema';
    type: 'object';
    additionalProperties?: false;
    properties: {};
  };
  /**
   * Infrastructure the service needs; synthesis merges it with what the manifest adds.
   */
  needs: {
    /**
     * @minItems 1
     */
    tiers: [Tier, ...Tier[]];
    containers: Container[];
    /**
     * True when the service stores personal data (names, emails): policy checks and audits rely on it.
     */
    personalData: boolean;
  };
}
/**
 * A group of identical instances running one part of the service.
 *
 * This interface was referenced by `TemplateDefinition`'s JSON-Schema
 * via the `definition` "tier".
 */
export interface Tier {
  name: Name;
  /**
   * web serves people, app serves other tiers, database holds data.
   */
  role: 'web' | 'app' | 'database';
  /**
   * Instances outside production.
   */
  count: number;
  flavor: Flavor;
  /**
   * Defaults in production (usually more and larger instances).
   */
  production?: {
    count?: number;
    flavor?: Flavor;
  };
  /**
   * A DNS-safe name: lower-case letters, digits and hyphens, starting with a letter, at most 63 characters.
   */
  subnet?: string;
  /**
   * TCP port the application listens on.
   */
  servicePort: number;
  /**
   * HTTP path answering 200 when the service is healthy.
   */
  healthCheck: string;
  volumes: Volume[];
  ports: Port[];
}
/**
 * A block volume attached to each instance of the tier.
 *
 * This interface was referenced by `TemplateDefinition`'s JSON-Schema
 * via the `definition` "volume".
 */
export interface Volume {
  name: Name;
  /**
   * Size in GiB.
   */
  size: number;
  /**
   * Where the volume is mounted; the service's STORM_DATA_DIR.
   */
  mountPath: string;
}
/**
 * An ingress rule the tier needs.
 *
 * This interface was referenced by `TemplateDefinition`'s JSON-Schema
 * via the `definition` "port".
 */
export interface Port {
  port: number;
  protocol: 'tcp' | 'udp';
  /**
   * Who may connect: internet (0.0.0.0/0), admin (the manifest's admin CIDRs) or tier:<name> (another tier of this template).
   */
  from: string;
}
/**
 * An object storage container the service uses.
 *
 * This interface was referenced by `TemplateDefinition`'s JSON-Schema
 * via the `definition` "container".
 */
export interface Container {
  name: Name;
  acl: 'private' | 'public-read';
  versioning: boolean;
  /**
   * Published as open data (listed in the city's open-data catalogue).
   */
  openData: boolean;
  /**
   * A directory of the template (under seed/) whose files the deploy step uploads into the container, e.g. a plan's documents.
   */
  seedFrom?: string;
}
