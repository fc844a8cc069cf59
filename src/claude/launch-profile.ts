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

/** What a request needs of its process besides the system prompt; each changes the command line. */
export interface ProcessNeeds {
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
  /** Identifies processes with the same command line. */
  readonly spawnKey: string;
  /** Identifies processes with the same command line AND initialize options. */
  readonly key: string;
  readonly args: readonly string[];
  readonly initialize: Readonly<InitializeOptions>;
  /** The working directory (undefined: the gateway's workspace). */
  readonly cwd?: string;
}

function hash(value: unknown): string {
  return createHash("sha256").update(JSON.stringify(value)).digest("hex").slice(0, 16);
}

export function createLaunchProfile(
  args: readonly string[],
  initialize: InitializeOptions = {},
  cwd?: string,
): LaunchProfile {
  const spawnKey = hash(cwd === undefined ? args : [...args, { cwd }]);
  return Object.freeze({
    spawnKey,
    key: `${spawnKey}:${hash([initialize.systemPrompt ?? null, initialize.appendSystemPrompt ?? null, initialize.sdkMcpServers ?? null])}`,
    args: Object.freeze([...args]),
    initialize: Object.freeze({ ...initialize }),
    ...(cwd === undefined ? {} : { cwd }),
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
