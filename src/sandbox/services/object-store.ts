/**
 * Object Storage v1 (Swift) under /object-store/v1/AUTH_<project_id>:
 * account, containers (metadata, ACLs, quotas, legacy versioning), objects
 * (bytes on disk written atomically, metadata in SQLite), listings and
 * anonymous reads of public (.r:*) containers.
 *
 * The implementation lives in ./object-store/; this module is what server.ts registers.
 */
export { createObjectStoreService } from './object-store/service';
export { SWIFT_KINDS, type ObjectStoreOptions } from './object-store/model';
