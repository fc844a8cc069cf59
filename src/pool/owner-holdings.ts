/**
 * The processes an owner holds — running its turns, waiting for its tool results, serving its
 * live sessions, keeping its conversations warm — against its cap, so that one key cannot take the
 * whole pool. A pure decision, like choose-member.ts.
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
): HoldingsDecision {
  if (maxHeld === undefined) return { kind: "within" };
  // Continuing in the process that already holds the conversation, or clearing one, adds nothing.
  if (choice.kind === "soon" || choice.kind === "none" || choice.kind === "evict") return { kind: "within" };
  if (choice.kind === "take" && choice.member.state === "bound") return { kind: "within" };
  let held = 0;
  let oldestBound: PoolMember | undefined;
  for (const member of members) {
    if (member.owner !== owner) continue;
    const holding =
      member.state === "leased" ||
      member.state === "preparing" ||
      member.state === "bound" ||
      (member.state === "starting" && member.claimed);
    if (!holding) continue;
    held++;
    const releasable = member.state === "bound" && member.conversation?.id !== claimedConversation;
    if (releasable && (!oldestBound || member.lastUsedAt < oldestBound.lastUsedAt)) oldestBound = member;
  }
  if (held < maxHeld) return { kind: "within" };
  // The owner's least recently used conversation lets its process go (it stays in the store).
  return oldestBound ? { kind: "release", member: oldestBound } : { kind: "full" };
}
