/** What the pool looks like right now, for /health/ready, tests and (later) metrics. */
import type { MemberState, PoolMember } from "./pool-member.js";

export interface PoolSnapshot {
  processes: number;
  states: Record<MemberState, number>;
  queued: number;
  spawned: number;
  crashed: number;
  members: Array<{
    pid: number | undefined;
    state: MemberState;
    profile: string | null;
    /** The owner it serves (null: a spare nobody has used yet). */
    owner: string | null;
    conversation: string | null;
  }>;
}

export function snapshotOf(
  members: ReadonlySet<PoolMember>,
  counts: { queued: number; spawned: number; crashed: number },
): PoolSnapshot {
  const states: Record<MemberState, number> = {
    starting: 0,
    spare: 0,
    preparing: 0,
    leased: 0,
    clearing: 0,
    idle: 0,
    bound: 0,
  };
  for (const member of members) states[member.state]++;
  return {
    processes: members.size,
    states,
    ...counts,
    members: [...members].map((member) => ({
      pid: member.process.pid,
      state: member.state,
      profile: member.profileKey ?? null,
      owner: member.owner ?? null,
      conversation: member.conversation?.id ?? null,
    })),
  };
}
