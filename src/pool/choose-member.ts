/**
 * Which process a request for `profile` gets — the pool's lease policy as a pure decision, in
 * order of preference:
 *   1. an idle process initialized for exactly this profile, most recently used first (its
 *      connections and caches are hot);
 *   2. if none is idle but one of this profile is finishing its /clear (~15 ms): wait for it —
 *      a spare's first API turn runs ~100 ms slower, and the pool would grow under sequential use;
 *   3. a booted spare with the same command line (initialized on lease, ~5 ms);
 *   4. a spare of that command line still booting;
 *   5. a new process, under the limit;
 *   6. a new process in place of the least recently used idle process or spare;
 *   7. nothing: the request waits in the queue.
 */
import type { LaunchProfile } from "../claude/launch-profile.js";
import type { PoolMember } from "./pool-member.js";

export type MemberChoice =
  | { kind: "take"; member: PoolMember }
  | { kind: "claim"; member: PoolMember }
  | { kind: "spawn" }
  | { kind: "replace"; victim: PoolMember }
  | { kind: "soon" }
  | { kind: "none" };

export function chooseMember(
  members: Iterable<PoolMember>,
  profile: LaunchProfile,
  maxProcesses: number,
): MemberChoice {
  let idle: PoolMember | undefined;
  let clearing = false;
  let spare: PoolMember | undefined;
  let booting: PoolMember | undefined;
  let victim: PoolMember | undefined;
  let count = 0;
  for (const member of members) {
    count++;
    if (member.profileKey === profile.key) {
      if (member.state === "idle" && (!idle || member.lastUsedAt > idle.lastUsedAt)) idle = member;
      if (member.state === "clearing") clearing = true;
    }
    if (member.spawnKey === profile.spawnKey) {
      if (member.state === "spare") spare ??= member;
      if (member.state === "starting" && !member.claimed) booting ??= member;
    }
    if ((member.state === "idle" || member.state === "spare") && (!victim || member.lastUsedAt < victim.lastUsedAt)) {
      victim = member;
    }
  }
  if (idle) return { kind: "take", member: idle };
  if (clearing) return { kind: "soon" };
  if (spare) return { kind: "take", member: spare };
  if (booting) return { kind: "claim", member: booting };
  if (count < maxProcesses) return { kind: "spawn" };
  if (victim) return { kind: "replace", victim };
  return { kind: "none" };
}
