/**
 * Spawns a CLI process for the pool and watches its life: the boot probe, and its exit.
 *
 * A process prints nothing until its first input. `get_settings` is answered once it has booted
 * and, unlike `initialize`, leaves the system prompt to be chosen later (measured), so it is the
 * probe. An error *answer* still proves the process is up (a CLI without get_settings).
 */
import type { ClaudeProcess, ExitInfo } from "../claude/claude-process.js";
import type { LaunchProfile } from "../claude/launch-profile.js";
import { PoolMember } from "./pool-member.js";

export interface MemberEvents {
  booted(member: PoolMember, settings: unknown): void;
  bootFailed(member: PoolMember, error: unknown): void;
  exited(member: PoolMember, exit: ExitInfo): void;
}

export function startMember(
  spawnProcess: (profile: LaunchProfile, extraArgs: readonly string[]) => ClaudeProcess,
  profile: LaunchProfile,
  extraArgs: readonly string[],
  bootTimeoutMs: number,
  events: MemberEvents,
): PoolMember {
  const process = spawnProcess(profile, extraArgs);
  const member = new PoolMember(process, profile.spawnKey, async () => {
    let settings: unknown;
    try {
      settings = await process.sendControlRequest({ subtype: "get_settings" }, bootTimeoutMs);
    } catch (error) {
      if ((error as { fault?: string }).fault !== "control_error") {
        void process.kill();
        throw error;
      }
    }
    events.booted(member, settings);
  });
  member.booted.catch((error) => events.bootFailed(member, error));
  void process.exited.then((exit) => events.exited(member, exit));
  return member;
}
