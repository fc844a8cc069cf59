/**
 * The CLI settings (`--settings <json>`, honoured with `--setting-sources ""`; measured) of a
 * process, by what it is:
 *   - a model: no auto memory (the CLI otherwise tells the model about MEMORY.md — with the config
 *     dir's path — and injects it into later sessions); its tools are off on the command line;
 *   - an agent in an owner's room: Bash in Claude Code's own sandbox (bubblewrap on Linux: its own
 *     PID namespace, no network), which may write only in the room's workspace and temp dir (and
 *     the operator's additional_dirs), reads nothing of the gateway's data dir, configuration,
 *     home, the operator's CLI config dir or other rooms, and sees no credential in its
 *     environment; and deny rules
 *     that keep the file tools (which the sandbox does not cover) out of the same places — deny
 *     rules come before any allow rule or permission answer (measured).
 * Unsandboxed commands (the model's `dangerouslyDisableSandbox`) are refused outright, and a
 * sandbox that cannot start fails the command instead of running it bare.
 */
import type { Room } from "./launch-profile.js";

export interface AgentPlacement {
  room: Room;
  /**
   * What an agent may never read or write: the gateway's data dir, the operator's CLI config dir,
   * other rooms (rooms.ts: never a directory holding the agent's own room).
   */
  forbidden: readonly string[];
  /** file_access.additional_dirs: shared with every agent, read and write. */
  additionalDirs: readonly string[];
  /** Files that only the CLI itself may read: the login link, the MCP servers' configuration. */
  secretFiles: readonly string[];
  /** Variables of the CLI's environment its Bash must not see (claude-environment.ts). */
  hiddenVariables: readonly string[];
  sandbox: boolean;
}

export function modelSettings(): Record<string, unknown> {
  return { autoMemoryEnabled: false };
}

export function agentSettings(placement: AgentPlacement): Record<string, unknown> {
  const { room, forbidden, additionalDirs, secretFiles, hiddenVariables } = placement;
  // "//" starts an absolute path in a rule (a single "/" is relative to the settings: measured).
  const rules = [
    ...forbidden.flatMap((path) => [`Read(/${path}/**)`, `Edit(/${path}/**)`]),
    ...secretFiles.flatMap((path) => [`Read(/${path})`, `Edit(/${path})`]),
  ];
  const settings: Record<string, unknown> = { autoMemoryEnabled: false, permissions: { deny: rules } };
  if (placement.sandbox) {
    settings.sandbox = {
      enabled: true,
      failIfUnavailable: true,
      autoAllowBashIfSandboxed: true,
      allowUnsandboxedCommands: false,
      filesystem: {
        allowWrite: [room.cwd, ...(room.tmp ? [room.tmp] : []), ...additionalDirs],
        denyRead: [...forbidden],
      },
      credentials: {
        files: secretFiles.map((path) => ({ path, mode: "deny" })),
        envVars: hiddenVariables.map((name) => ({ name, mode: "deny" })),
      },
    };
  }
  return settings;
}
