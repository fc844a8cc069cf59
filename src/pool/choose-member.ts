/**
 * Which process a request for `profile` gets — the pool's lease policy as a pure decision.
 *
 * A turn of a conversation whose CLI session exists takes the process holding that session at
 * that revision; without one the session must be resumed in a new process (`--resume`, a cold
 * start): under the limit, or in place of the least valuable waiting process.
 *
 * Any other request, in order of preference:
 *   1. an idle process initialized for exactly this profile, most recently used first (its
 *      connections and caches are hot);
 *   2. if none is idle but one of this profile is finishing its /clear (~15 ms): wait for it —
 *      a spare's first API turn runs ~100 ms slower, and the pool would grow under sequential use;
 *   3. a booted spare with the same command line (initialized on lease, ~5 ms);
 *   4. a spare of that command line still booting;
 *   5. the least recently used process holding a conversation of this profile, cleared (~15 ms)
 *      — the conversation stays in the store and is resumed if it comes back;
 *   6. a new process, under the limit;
 *   7. a new process in place of the least recently used idle process or spare, else of the
 *      least recently used conversation's process;
 *   8. nothing: the request waits in the queue.
 */
import type { LaunchProfile } from "../claude/launch-profile.js";
import type { ConversationBinding, PoolMember } from "./pool-member.js";

export type MemberChoice =
  | { kind: "take"; member: PoolMember }
  | { kind: "claim"; member: PoolMember }
  | { kind: "evict"; member: PoolMember }
  | { kind: "spawn" }
  | { kind: "replace"; victim: PoolMember }
  | { kind: "soon" }
  | { kind: "none" };

export function chooseMember(
  members: Iterable<PoolMember>,
  profile: LaunchProfile,
  maxProcesses: number,
  conversation?: ConversationBinding,
): MemberChoice {
  let idle: PoolMember | undefined;
  let clearing = false;
  let spare: PoolMember | undefined;
  let booting: PoolMember | undefined;
  let boundSameProfile: PoolMember | undefined;
  let victim: PoolMember | undefined;
  let boundVictim: PoolMember | undefined;
  let count = 0;
  for (const member of members) {
    count++;
    if (
      conversation &&
      member.state === "bound" &&
      member.conversation?.id === conversation.id &&
      member.conversation.revision === conversation.revision &&
      member.profileKey === profile.key
    ) {
      return { kind: "take", member };
    }
    if (member.profileKey === profile.key) {
      if (member.state === "idle" && (!idle || member.lastUsedAt > idle.lastUsedAt)) idle = member;
      if (member.state === "clearing") clearing = true;
      if (member.state === "bound" && isOlder(member, boundSameProfile)) boundSameProfile = member;
    }
    if (member.spawnKey === profile.spawnKey) {
      if (member.state === "spare") spare ??= member;
      if (member.state === "starting" && !member.claimed) booting ??= member;
    }
    if ((member.state === "idle" || member.state === "spare") && isOlder(member, victim)) victim = member;
    if (member.state === "bound" && isOlder(member, boundVictim)) boundVictim = member;
  }
  victim ??= boundVictim;
  if (conversation) {
    // The session lives only in the store now: a new process resumes it.
    if (count < maxProcesses) return { kind: "spawn" };
    return victim ? { kind: "replace", victim } : { kind: "none" };
  }
  if (idle) return { kind: "take", member: idle };
  if (clearing) return { kind: "soon" };
  if (spare) return { kind: "take", member: spare };
  if (booting) return { kind: "claim", member: booting };
  if (boundSameProfile) return { kind: "evict", member: boundSameProfile };
  if (count < maxProcesses) return { kind: "spawn" };
  if (victim) return { kind: "replace", victim };
  return { kind: "none" };
}

function isOlder(member: PoolMember, than: PoolMember | undefined): boolean {
  return !than || member.lastUsedAt < than.lastUsedAt;
}
