/**
 * Whether a process with this id runs now (signal 0 probes without sending anything; EPERM means it runs
 * under another user). Pid reuse can make a long-dead owner look alive.
 */
export function isProcessAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}
