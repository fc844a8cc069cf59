/**
 * The processes an owner holds — running its turns, waiting for its tool results, serving its
 * live sessions, keeping its conversations warm — against its cap, so that one key cannot take the
 * whole pool. A pure decision, like choose-member.ts.
 *
 * Across instances (a shared store) the cap counts what the owner holds elsewhere too, as far as
 * this instance has heard (shared-holdings.ts): only committed processes, since a warm
 * conversation elsewhere is let go by its own instance when that one needs room, not by this one.
 */
import type { MemberChoice } from "./choose-member.js";
import type { PoolMember } from "./pool-member.js";

export type HoldingsDecision = { kind: "within" } | { kind: "release"; member: PoolMember } | { kind: "full" };

export function checkHoldings(
  members: Iterable<PoolMember>,
  owner: string,
  maxHeld: number | undefined,
  choice: MemberChoice,
  claimedConversation?: string,
  heldElsewhere = 0,
): HoldingsDecision {
  if (maxHeld === undefined) return { kind: "within" };
  // Continuing in the process that already holds the conversation, or clearing one, adds nothing.
  if (choice.kind === "soon" || choice.kind === "none" || choice.kind === "evict") return { kind: "within" };
  if (choice.kind === "take" && choice.member.state === "bound") return { kind: "within" };
  let held = 0;
  let committed = 0;
  let oldestBound: PoolMember | undefined;
  for (const member of members) {
    if (member.owner !== owner) continue;
    if (isCommitted(member)) committed++;
    else if (member.state !== "bound") continue;
    held++;
    const releasable = member.state === "bound" && member.conversation?.id !== claimedConversation;
    if (releasable && (!oldestBound || member.lastUsedAt < oldestBound.lastUsedAt)) oldestBound = member;
  }
  const allowed = maxHeld - heldElsewhere;
  if (held < allowed) return { kind: "within" };
  // Letting a warm conversation go makes room only if the committed ones leave some.
  if (committed >= allowed) return { kind: "full" };
  // The owner's least recently used conversation lets its process go (it stays in the store).
  return oldestBound ? { kind: "release", member: oldestBound } : { kind: "full" };
}

/** Processes each owner holds committed here (what other instances count against its cap). */
export function committedHoldingsOf(members: Iterable<PoolMember>): Map<string, number> {
  const counts = new Map<string, number>();
  for (const member of members) {
    if (member.owner !== undefined && isCommitted(member))
      counts.set(member.owner, (counts.get(member.owner) ?? 0) + 1);
  }
  return counts;
}

/** Running a turn, being readied for one, or claimed while it boots: not to be let go for another request. */
function isCommitted(member: PoolMember): boolean {
  return member.state === "leased" || member.state === "preparing" || (member.state === "starting" && member.claimed);
}
