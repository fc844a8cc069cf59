import { describe, expect, it } from "vitest";
import { ConfigurationError } from "../config/configuration-error.js";
import { type ConfigurationInput, configurationSchema } from "../config/configuration-schema.js";
import { checkClaudeArguments, claudeArguments } from "./claude-arguments.js";
import { clientServerConfig } from "./client-tool-server.js";

const configure = (input: ConfigurationInput = {}) => configurationSchema.parse(input);
const flag = (args: string[], name: string) => {
  const index = args.indexOf(name);
  return index < 0 ? undefined : args[index + 1];
};

const placement = {
  room: {
    cwd: "/data/rooms/key_a/workspace",
    configDirectory: "/data/rooms/key_a/claude",
    tmp: "/data/rooms/key_a/tmp",
  },
  forbidden: ["/data/conversations.sqlite", "/data/rooms/key_b", "/home/gw/.claude"],
  additionalDirs: ["/srv/a"],
  secretFiles: ["/data/rooms/key_a/claude/.credentials.json", "/data/private/key_a-mcp-servers.json"],
  hiddenVariables: ["ANTHROPIC_API_KEY", "AWS_SECRET_ACCESS_KEY"],
  sandbox: true,
};
const agent = { placement, mcpConfigPath: "/data/private/key_a-mcp-servers.json" };
const settingsOf = (args: string[]) => JSON.parse(flag(args, "--settings") ?? "{}");

describe("claudeArguments", () => {
  it("runs a model by default: no built-in tools, no MCP server, no auto memory — whatever the operator configured for agents", () => {
    const args = claudeArguments(
      configure({
        mcp: { enabled: true, config_json: '{"mcpServers":{}}', strict: false },
        file_access: { additional_dirs: ["/srv/a"], allowed_tools: ["Bash"], skip_permissions: true },
      }),
    );
    expect(flag(args, "--tools")).toBe("");
    expect(args).toContain("--strict-mcp-config");
    expect(settingsOf(args)).toEqual({ autoMemoryEnabled: false });
    for (const name of [
      "--mcp-config",
      "--add-dir",
      "--permission-mode",
      "--allowedTools",
      "--dangerously-skip-permissions",
    ]) {
      expect(args).not.toContain(name);
    }
    // Without the agent's placement, even needs.agent stays a model.
    expect(flag(claudeArguments(configure(), { agent: true }), "--tools")).toBe("");
  });

  it("gives an agent every file access, MCP and limit key, its MCP servers as a file, and its sandbox", () => {
    const args = claudeArguments(
      configure({
        mcp: { enabled: true, config_json: '{"mcpServers":{}}', strict: false, debug: true },
        file_access: {
          additional_dirs: ["/srv/a", "/srv/b"],
          permission_mode: "acceptEdits",
          allowed_tools: ["Read", "mcp__fixture"],
          disallowed_tools: ["Bash"],
          skip_permissions: true,
        },
        claude: { max_turns: 3, max_budget_usd: 0.5, fallback_model: "haiku" },
      }),
      { agent: true },
      agent,
    );
    expect(flag(args, "--mcp-config")).toBe("/data/private/key_a-mcp-servers.json");
    expect(args.join(" ")).not.toContain("mcpServers");
    expect(args).not.toContain("--strict-mcp-config");
    expect(args).not.toContain("--tools");
    expect(flag(args, "--debug")).toBe("mcp");
    expect(args.filter((arg) => arg === "--add-dir")).toHaveLength(2);
    expect(flag(args, "--permission-mode")).toBe("acceptEdits");
    expect(flag(args, "--allowedTools")).toBe("Read,mcp__fixture");
    expect(flag(args, "--disallowedTools")).toBe("Bash");
    expect(args).toContain("--dangerously-skip-permissions");
    expect(flag(args, "--max-turns")).toBe("3");
    expect(flag(args, "--max-budget-usd")).toBe("0.5");
    expect(flag(args, "--fallback-model")).toBe("haiku");
    const settings = settingsOf(args);
    expect(settings.sandbox).toMatchObject({
      enabled: true,
      allowUnsandboxedCommands: false,
      filesystem: { allowWrite: [placement.room.cwd, placement.room.tmp, "/srv/a"] },
    });
    expect(settings.sandbox.filesystem.denyRead).toEqual(placement.forbidden);
    expect(settings.sandbox.credentials.envVars).toEqual([
      { name: "ANTHROPIC_API_KEY", mode: "deny" },
      { name: "AWS_SECRET_ACCESS_KEY", mode: "deny" },
    ]);
    expect(settings.permissions.deny).toContain("Read(//data/rooms/key_b/**)");
    expect(settings.permissions.deny).toContain("Read(//data/private/key_a-mcp-servers.json)");
    expect(settings.sandbox.credentials.files).toContainEqual({
      path: "/data/private/key_a-mcp-servers.json",
      mode: "deny",
    });
    expect(settings.autoMemoryEnabled).toBe(false);
  });

  it("adds the client tool server to the allowed tools, and drops an agent's built-ins unless kept", () => {
    const model = claudeArguments(configure(), { clientTools: true, jsonSchema: '{"type":"object"}' });
    expect(flag(model, "--mcp-config")).toBe(clientServerConfig);
    expect(flag(model, "--allowedTools")).toBe("mcp__client");
    expect(flag(model, "--tools")).toBe("");
    expect(flag(model, "--json-schema")).toBe('{"type":"object"}');
    const operator = configure({
      mcp: { enabled: true, config_file: "/etc/mcp.json" },
      file_access: { allowed_tools: ["mcp__fixture"] },
    });
    const args = claudeArguments(
      operator,
      { agent: true, clientTools: true },
      { ...agent, mcpConfigPath: "/etc/mcp.json" },
    );
    const at = args.indexOf("--mcp-config");
    expect(args.slice(at + 1, at + 3)).toEqual(["/etc/mcp.json", clientServerConfig]);
    expect(flag(args, "--allowedTools")).toBe("mcp__fixture,mcp__client");
    expect(flag(args, "--tools")).toBe("");
    const kept = configure({ tools: { keep_builtin_tools: true } });
    expect(claudeArguments(kept, { agent: true, clientTools: true }, agent)).not.toContain("--tools");
  });

  it("refuses bypassed permissions as root without IS_SANDBOX, and a bad MCP file, at start-up", () => {
    const bypass = configure({ file_access: { skip_permissions: true } });
    if (process.getuid?.() === 0) {
      expect(() => checkClaudeArguments(bypass, {})).toThrow(ConfigurationError);
      expect(() => checkClaudeArguments(bypass, {})).toThrow(/file_access.skip_permissions/);
    }
    expect(() => checkClaudeArguments(bypass, { IS_SANDBOX: "1" })).not.toThrow();
    const missing = configure({ mcp: { enabled: true, config_file: "/nonexistent/mcp.json" } });
    expect(() => checkClaudeArguments(missing, {})).toThrow(/mcp.config_file/);
  });

  it("refuses, with agents or sessions, settings sources, a loose MCP config, and no sandbox outside root", () => {
    const agents = (input: ConfigurationInput) => configure({ agent: { enabled: true }, ...input });
    expect(() => checkClaudeArguments(agents({ claude: { setting_sources: "project" } }), {})).toThrow(
      /claude.setting_sources/,
    );
    expect(() => checkClaudeArguments(agents({ mcp: { strict: false } }), {})).toThrow(/mcp.strict/);
    const unsandboxed = agents({ agent: { enabled: true, sandbox: false } });
    if (process.getuid?.() === 0) expect(() => checkClaudeArguments(unsandboxed, {})).not.toThrow();
    else expect(() => checkClaudeArguments(unsandboxed, {})).toThrow(/agent.sandbox/);
    // Without agents these choices touch nothing the model can reach.
    expect(() => checkClaudeArguments(configure({ mcp: { strict: false } }), {})).not.toThrow();
  });

  it("rejects an MCP setup that names no servers or two sources", () => {
    expect(() => configure({ mcp: { enabled: true } })).toThrow(/mcp.config_file/);
    expect(() => configure({ mcp: { config_json: "[]" } })).toThrow(/mcpServers/);
  });
});
