/** Which pooled processes hold which conversation's CLI session (state "bound"). */
import type { ConversationBinding, PoolMember } from "./pool-member.js";

/** Processes holding conversation `id`; with `revision`, only those at exactly that revision. */
export function holdersOf(members: Iterable<PoolMember>, id: string, revision?: number): PoolMember[] {
  return [...members].filter(
    (member) =>
      member.state === "bound" &&
      member.conversation?.id === id &&
      (revision === undefined || member.conversation.revision === revision),
  );
}

/** Processes holding an older (or other) revision than `binding`: another instance moved it on. */
export function staleHoldersOf(members: Iterable<PoolMember>, binding: ConversationBinding): PoolMember[] {
  return holdersOf(members, binding.id).filter((member) => member.conversation?.revision !== binding.revision);
}
