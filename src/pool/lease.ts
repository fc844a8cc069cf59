/** A process lent to one request. */
import type { ClaudeProcess } from "../claude/claude-process.js";
import type { ConversationBinding, PoolMember } from "./pool-member.js";

export interface Lease {
  readonly process: ClaudeProcess;
  /** Switches the process to `model` (set_model, ~5 ms) unless it is already on it. */
  useModel(model: string): Promise<void>;
  /** Sets the effort level (undefined: the CLI's default) unless the process already has it. */
  useEffort(effort: string | undefined): Promise<void>;
  /**
   * Gives the process back: ended unless `reusable`; kept holding the conversation's session when
   * `keep` names it (the conversation's next turn continues there), otherwise cleared. Idempotent.
   */
  release(reusable: boolean, keep?: ConversationBinding): void;
}

export function createLease(
  member: PoolMember,
  onRelease: (member: PoolMember, reusable: boolean, keep?: ConversationBinding) => void,
): Lease {
  let released = false;
  return {
    process: member.process,
    useModel: async (model) => {
      if (member.model === model) return;
      await member.process.sendControlRequest({ subtype: "set_model", model });
      member.model = model;
    },
    useEffort: async (effort) => {
      if (member.effort === effort) return;
      // Measured: apply_flag_settings changes the next API call's effort; null restores the default.
      await member.process.sendControlRequest({
        subtype: "apply_flag_settings",
        settings: { effortLevel: effort ?? null },
      });
      member.effort = effort;
    },
    release: (reusable, keep) => {
      if (released) return;
      released = true;
      onRelease(member, reusable, keep);
    },
  };
}
