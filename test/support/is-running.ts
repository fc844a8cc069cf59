/** Whether a process with this pid exists (signal 0 checks without touching it). */
export function isRunning(pid: number | undefined): boolean {
  if (pid === undefined || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
