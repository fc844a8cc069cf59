/**
 * A launch profile is everything fixed for a CLI process's lifetime. It has two layers, because the
 * CLI takes the system prompt in its `initialize` control request (measured: a second initialize is
 * ignored) rather than only as a flag:
 *   - spawn arguments (the command line): a booted process with these args is a "spare";
 *   - initialize options (system prompt): applied once, when a spare is first leased.
 * So one warm spare can serve any system prompt, and a cleared process returns to its exact profile.
 */
import { createHash } from "node:crypto";
import type { Configuration } from "../config/configuration-schema.js";

export interface InitializeOptions {
  systemPrompt?: string;
  appendSystemPrompt?: string;
  /** In-process MCP servers the host answers for (the client tool server). */
  sdkMcpServers?: string[];
}

/**
 * Where a process lives: its working directory and its CLI config dir (transcripts, settings
 * state). The shared model room serves every owner's model-only processes; an owner granted the
 * agent works in a room of its own.
 */
export interface Room {
  readonly cwd: string;
  readonly configDirectory: string;
  /** HOME and temp dir of its processes (undefined: the gateway's). */
  readonly home?: string;
  readonly tmp?: string;
  /** The user and group its processes run as (undefined: the gateway's). */
  readonly uid?: number;
  readonly gid?: number;
}

/** The user a room's processes run as, if not the gateway's. */
export function userOfRoom(room: Room): { uid: number; gid: number } | undefined {
  return room.uid === undefined ? undefined : { uid: room.uid, gid: room.gid ?? room.uid };
}

/** What a request needs of its process besides the system prompt; each changes the command line. */
export interface ProcessNeeds {
  /** Claude Code as an agent (built-in tools, MCP servers, file access), in the owner's room. */
  agent?: boolean;
  /** The client tool server (and no built-in tools, unless kept). */
  clientTools?: boolean;
  /** A JSON Schema for the CLI's structured output (`--json-schema`). */
  jsonSchema?: string;
  /** Permission questions come to the gateway (`--permission-prompt-tool stdio`): live sessions. */
  permissionPrompts?: boolean;
  /** Overrides file_access.permission_mode (live sessions, within what the operator allows). */
  permissionMode?: string;
  /** Added to file_access.allowed_tools. */
  allowedTools?: string[];
}

export interface LaunchProfile {
  /** Identifies processes with the same command line and room: spares are shared among these. */
  readonly spawnKey: string;
  /** Identifies processes with the same command line, room, initialize options AND owner. */
  readonly key: string;
  readonly args: readonly string[];
  readonly initialize: Readonly<InitializeOptions>;
  /** Whose turns it runs: a process never serves two owners. */
  readonly owner: string;
  /** Its room (undefined: the shared model room). */
  readonly room?: Room;
}

function hash(value: unknown): string {
  return createHash("sha256").update(JSON.stringify(value)).digest("hex").slice(0, 16);
}

export function createLaunchProfile(
  args: readonly string[],
  initialize: InitializeOptions = {},
  placement: { owner?: string; room?: Room } = {},
): LaunchProfile {
  const { owner = "", room } = placement;
  const spawnKey = hash(room === undefined ? args : [...args, { cwd: room.cwd, config: room.configDirectory }]);
  const initializeKey = [initialize.systemPrompt ?? null, initialize.appendSystemPrompt ?? null];
  return Object.freeze({
    spawnKey,
    key: `${spawnKey}:${hash([...initializeKey, initialize.sdkMcpServers ?? null, owner])}`,
    args: Object.freeze([...args]),
    initialize: Object.freeze({ ...initialize }),
    owner,
    ...(room === undefined ? {} : { room: Object.freeze({ ...room }) }),
  });
}

/** The command line every gateway process shares (the stream-json protocol and safe defaults). */
export function baseClaudeArguments(claude: Configuration["claude"]): string[] {
  const args = [
    "-p",
    "--input-format",
    "stream-json",
    "--output-format",
    "stream-json",
    "--verbose",
    "--include-partial-messages",
    // "" = load no settings files: the operator's or a project's settings must not change answers.
    "--setting-sources",
    claude.setting_sources,
  ];
  if (claude.default_model) args.push("--model", claude.default_model);
  return args;
}

/** Initialize options for a request's system prompt, per `claude.system_prompt_mode`. */
export function initializeForSystemPrompt(
  systemPrompt: string | undefined,
  mode: Configuration["claude"]["system_prompt_mode"],
): InitializeOptions {
  if (systemPrompt === undefined) return {};
  return mode === "append" ? { appendSystemPrompt: systemPrompt } : { systemPrompt };
}
