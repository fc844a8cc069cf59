/** The pool's housekeeping decisions, as pure functions of its members. */
import type { PoolMember } from "./pool-member.js";

/** How many spares to start so that `minSpares` booted or booting ones are ready, within `maxProcesses`. */
export function sparesToStart(
  members: ReadonlySet<PoolMember>,
  spawnKey: string,
  minSpares: number,
  maxProcesses: number,
): number {
  let ready = 0;
  for (const member of members) {
    const available = member.state === "spare" || (member.state === "starting" && !member.claimed);
    if (available && member.spawnKey === spawnKey) ready++;
  }
  return Math.max(0, Math.min(minSpares - ready, maxProcesses - members.size));
}

/** Processes unused for `idleTimeoutMs`: every idle one, and spares beyond `minSpares`. */
export function membersToReap(
  members: ReadonlySet<PoolMember>,
  now: number,
  idleTimeoutMs: number,
  minSpares: number,
): PoolMember[] {
  let spares = 0;
  for (const member of members) if (member.state === "spare") spares++;
  const reaped: PoolMember[] = [];
  for (const member of members) {
    if (now - member.lastUsedAt < idleTimeoutMs) continue;
    if (member.state === "idle") reaped.push(member);
    else if (member.state === "spare" && spares > minSpares) {
      spares--;
      reaped.push(member);
    }
  }
  return reaped;
}
