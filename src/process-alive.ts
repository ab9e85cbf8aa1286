/**
 * Whether a process of this machine is still there: the one test behind every
 * lock and pid file storm keeps (engine cache, audit log, sandbox). EPERM means
 * it is, owned by someone else.
 */
export function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}
