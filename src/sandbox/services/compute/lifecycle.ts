/**
 * Extension point for running something when a sandbox server changes life
 * stage (issue 7 starts a storm service process for instances that carry one).
 *
 * Listeners are called synchronously, after the store transaction that made
 * the change has committed, with the server id, the event and the server's
 * user data (base64 exactly as the client sent it, or null):
 *   - `active`  the server reached ACTIVE (after create, start, reboot, rebuild, resize…)
 *   - `stopped` the server reached SHUTOFF (os-stop)
 *   - `deleted` the server was deleted (its ports are already released)
 * Transitions are applied lazily when the server is next read, and also by a
 * short unref'd timer so listeners fire even when nobody polls. A listener
 * that throws is logged and does not affect the API answer.
 */
export type { ServerLifecycleEvent } from './model.js';
import type { ServerLifecycleEvent } from './model.js';

export interface ServerLifecycleNotice {
  /** The sandbox the server lives in (several may run in one process, e.g. tests). */
  sandboxUrl: string;
  serverId: string;
  projectId: string;
  name: string;
  event: ServerLifecycleEvent;
  /** base64 user data as given at create/rebuild, or null. */
  userData: string | null;
  metadata: Record<string, string>;
}

export type ServerLifecycleListener = (notice: ServerLifecycleNotice) => void;

const listeners = new Set<ServerLifecycleListener>();

/** Registers a listener; returns a function that removes it. */
export function onServerLifecycle(listener: ServerLifecycleListener): () => void {
  listeners.add(listener);
  return () => {
    listeners.delete(listener);
  };
}

export function emitServerLifecycle(notice: ServerLifecycleNotice, log: (line: string) => void): void {
  for (const listener of listeners) {
    try {
      listener(notice);
    } catch (err) {
      log(
        `compute: lifecycle listener failed on ${notice.event} of ${notice.serverId}: ${err instanceof Error ? err.message : String(err)}`,
      );
    }
  }
}
