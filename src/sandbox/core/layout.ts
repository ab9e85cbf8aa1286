/**
 * Names of the files in a sandbox data directory, and the default port: shared by
 * the server and by `control.ts`, which must not load the server (fastify, SQLite)
 * just to find a sandbox that is already running.
 */
export const DATABASE_FILE = 'sandbox.sqlite';
export const REQUEST_LOG_FILE = 'requests.log';
export const BLOB_DIR = 'blobs';
export const DEFAULT_PORT = 8800;
/** The project storm itself signs in to (cloud/sandbox-target.ts): the only one whose servers the service runner runs. */
export const STORM_PROJECT = 'admin';
