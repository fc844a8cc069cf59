/**
 * The whole command line of a gateway CLI process, in one place: the stream-json protocol and
 * settings isolation (baseClaudeArguments), then either
 *   - a model (the default): no built-in tool, no MCP server but the client tool server, no auto
 *     memory — only the request's own tools reach the model; or
 *   - an agent (the `agent` grant): Claude Code's tools, the operator's MCP servers, file access and
 *     limits from the configuration, sandboxed in the owner's room (agent-settings.ts);
 * and what a request needs (client tools, a JSON schema, a live session's permission prompts).
 */
import { readFileSync } from "node:fs";
import { ConfigurationError } from "../config/configuration-error.js";
import type { Configuration } from "../config/configuration-schema.js";
import { type AgentPlacement, agentSettings, modelSettings } from "./agent-settings.js";
import { clientServerConfig, clientServerName } from "./client-tool-server.js";
import { baseClaudeArguments, type ProcessNeeds } from "./launch-profile.js";

export interface AgentContext {
  placement: AgentPlacement;
  /** The operator's MCP servers as a file (never on argv, where `ps` shows every secret in them). */
  mcpConfigPath: string | undefined;
}

export function claudeArguments(
  configuration: Configuration,
  needs: ProcessNeeds = {},
  agent?: AgentContext,
): string[] {
  const { claude, mcp, file_access: files, tools } = configuration;
  const args = baseClaudeArguments(claude);
  const asAgent = needs.agent === true && agent !== undefined;

  const mcpConfigs: string[] = [];
  if (asAgent && mcp.enabled && agent.mcpConfigPath) mcpConfigs.push(agent.mcpConfigPath);
  if (needs.clientTools) mcpConfigs.push(clientServerConfig);
  if (mcpConfigs.length > 0) args.push("--mcp-config", ...mcpConfigs);
  if (mcp.strict || !asAgent) args.push("--strict-mcp-config");
  if (asAgent && mcp.debug) args.push("--debug", "mcp");

  const clientServer = needs.clientTools ? [`mcp__${clientServerName}`] : [];
  if (asAgent) {
    for (const directory of files.additional_dirs) args.push("--add-dir", directory);
    const permissionMode = needs.permissionMode ?? files.permission_mode;
    if (permissionMode) args.push("--permission-mode", permissionMode);
    if (needs.permissionPrompts) args.push("--permission-prompt-tool", "stdio");
    if (files.skip_permissions) args.push("--dangerously-skip-permissions");
    const allowed = [...files.allowed_tools, ...(needs.allowedTools ?? []), ...clientServer];
    if (allowed.length > 0) args.push("--allowedTools", allowed.join(","));
    if (files.disallowed_tools.length > 0) args.push("--disallowedTools", files.disallowed_tools.join(","));
    // With client tools, Claude Code's own tools are not offered unless the operator keeps them.
    if (needs.clientTools && !tools.keep_builtin_tools) args.push("--tools", "");
    args.push("--settings", JSON.stringify(agentSettings(agent.placement)));
  } else {
    if (clientServer.length > 0) args.push("--allowedTools", clientServer.join(","));
    // A model: none of Claude Code's own tools (Bash, Read, Task, …) — measured in decision 0009.
    args.push("--tools", "");
    args.push("--settings", JSON.stringify(modelSettings()));
  }

  if (claude.max_turns !== undefined) args.push("--max-turns", String(claude.max_turns));
  if (claude.max_budget_usd !== undefined) args.push("--max-budget-usd", String(claude.max_budget_usd));
  if (claude.fallback_model) args.push("--fallback-model", claude.fallback_model);
  if (needs.jsonSchema !== undefined) args.push("--json-schema", needs.jsonSchema);
  return args;
}

/**
 * What start-up checks beyond the schema, needing the machine: the MCP file must be readable
 * JSON with mcpServers; agents need isolated settings and MCP and their sandbox (or root's room
 * users); bypassed permissions as root need the CLI's sandbox variable.
 */
export function checkClaudeArguments(configuration: Configuration, environment: NodeJS.ProcessEnv): void {
  const { mcp, file_access: files } = configuration;
  if (mcp.enabled && mcp.config_file) {
    let servers: unknown;
    try {
      servers = (JSON.parse(readFileSync(mcp.config_file, "utf8")) as { mcpServers?: unknown }).mcpServers;
    } catch (error) {
      throw new ConfigurationError(`mcp.config_file: cannot read ${mcp.config_file} as JSON (${String(error)})`);
    }
    if (typeof servers !== "object" || servers === null) {
      throw new ConfigurationError(`mcp.config_file: ${mcp.config_file} has no "mcpServers" object`);
    }
  }
  const { agent, sessions, claude } = configuration;
  if (agent.enabled || sessions.enabled) {
    // An agent writes in its workspace: settings files or a .mcp.json it wrote there must never load
    // (hooks and MCP servers run outside the sandbox).
    if (claude.setting_sources !== "") {
      throw new ConfigurationError(
        'claude.setting_sources: must stay "" while agent.enabled or sessions.enabled (an agent could write the settings, and their hooks, it would then run)',
      );
    }
    if (!mcp.strict) {
      throw new ConfigurationError(
        "mcp.strict: must stay true while agent.enabled or sessions.enabled (an agent could write a .mcp.json whose servers run outside the sandbox)",
      );
    }
    // Without the sandbox, only users of their own (the gateway as root) keep rooms apart.
    if (!agent.sandbox && process.getuid?.() !== 0) {
      throw new ConfigurationError(
        "agent.sandbox: false keeps rooms apart only when the gateway runs as root (each room its own user); turn the sandbox on",
      );
    }
  }
  const bypass = files.skip_permissions || files.permission_mode === "bypassPermissions";
  if (bypass && process.getuid?.() === 0 && environment.IS_SANDBOX !== "1") {
    throw new ConfigurationError(
      "file_access.skip_permissions (or permission_mode bypassPermissions): the gateway runs as root, where the CLI refuses to bypass permissions; run it as another user, or set IS_SANDBOX=1 if this machine is a sandbox",
    );
  }
}
