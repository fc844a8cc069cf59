/** Pool members without a real process, for testing the pool's pure policies. */
import type { ClaudeProcess } from "../../src/claude/claude-process.js";
import { createLaunchProfile } from "../../src/claude/launch-profile.js";
import { type MemberState, PoolMember } from "../../src/pool/pool-member.js";

export const plain = createLaunchProfile(["-p"]);
export const pirate = createLaunchProfile(["-p"], { systemPrompt: "Arr." });
export const otherCommandLine = createLaunchProfile(["-p", "--max-turns", "2"]);

export function member(state: MemberState, fields: Partial<PoolMember> & { spawnKey?: string } = {}): PoolMember {
  const created = new PoolMember({} as ClaudeProcess, fields.spawnKey ?? plain.spawnKey, () => Promise.resolve());
  return Object.assign(created, { state, ...fields });
}
