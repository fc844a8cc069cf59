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

/**
 * Conversations whose process is given up (cleared; the conversation stays in the store): those
 * idle past the session timeout, and — when the pool is full — the least recently used ones, so
 * that `minReady` processes stay ready for new conversations without a cold start.
 */
export function bindingsToRelease(
  members: ReadonlySet<PoolMember>,
  now: number,
  sessionTimeoutMs: number,
  minReady: number,
  maxProcesses: number,
): PoolMember[] {
  const released: PoolMember[] = [];
  const bound: PoolMember[] = [];
  let ready = 0;
  for (const member of members) {
    if (member.state === "bound") {
      if (now - member.lastUsedAt >= sessionTimeoutMs) released.push(member);
      else bound.push(member);
    } else if (member.state === "idle" || member.state === "clearing") {
      // Spares do not count: their first turn is slow, so a request waits for a clearing
      // process rather than take one (choose-member.ts). A cleared process serves only its own
      // owner now; with several keys this counts them all (one owner's readiness is what it keeps
      // a warm process for; other keys take spares, or replace an idle process when the pool is full).
      ready++;
    }
  }
  const missing = minReady - ready - released.length - (maxProcesses - members.size);
  bound.sort((a, b) => a.lastUsedAt - b.lastUsedAt);
  return [...released, ...bound.slice(0, Math.max(0, missing))];
}
