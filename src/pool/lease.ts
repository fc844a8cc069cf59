/** A process lent to one request. */
import type { ClaudeProcess } from "../claude/claude-process.js";
import type { PoolMember } from "./pool-member.js";

export interface Lease {
  readonly process: ClaudeProcess;
  /** Switches the process to `model` (set_model, ~5 ms) unless it is already on it. */
  useModel(model: string): Promise<void>;
  /** Gives the process back: cleared and kept when `reusable`, ended otherwise. Idempotent. */
  release(reusable: boolean): void;
}

export function createLease(member: PoolMember, onRelease: (member: PoolMember, reusable: boolean) => void): Lease {
  let released = false;
  return {
    process: member.process,
    useModel: async (model) => {
      if (member.model === model) return;
      await member.process.sendControlRequest({ subtype: "set_model", model });
      member.model = model;
    },
    release: (reusable) => {
      if (released) return;
      released = true;
      onRelease(member, reusable);
    },
  };
}
