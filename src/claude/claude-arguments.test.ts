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

describe("claudeArguments", () => {
  it("keeps MCP strict and adds nothing else by default", () => {
    const args = claudeArguments(configure());
    expect(args).toContain("--strict-mcp-config");
    for (const name of ["--mcp-config", "--add-dir", "--permission-mode", "--allowedTools", "--max-turns", "--tools"]) {
      expect(args).not.toContain(name);
    }
  });

  it("passes every file access, MCP and limit key to its flag", () => {
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
    );
    expect(flag(args, "--mcp-config")).toBe('{"mcpServers":{}}');
    expect(args).not.toContain("--strict-mcp-config");
    expect(flag(args, "--debug")).toBe("mcp");
    expect(args.filter((arg) => arg === "--add-dir")).toHaveLength(2);
    expect(flag(args, "--permission-mode")).toBe("acceptEdits");
    expect(flag(args, "--allowedTools")).toBe("Read,mcp__fixture");
    expect(flag(args, "--disallowedTools")).toBe("Bash");
    expect(args).toContain("--dangerously-skip-permissions");
    expect(flag(args, "--max-turns")).toBe("3");
    expect(flag(args, "--max-budget-usd")).toBe("0.5");
    expect(flag(args, "--fallback-model")).toBe("haiku");
  });

  it("adds the client tool server to the operator's MCP servers and allowed tools, and drops built-ins", () => {
    const args = claudeArguments(
      configure({
        mcp: { enabled: true, config_file: "/etc/mcp.json" },
        file_access: { allowed_tools: ["mcp__fixture"] },
      }),
      { clientTools: true, jsonSchema: '{"type":"object"}' },
    );
    const at = args.indexOf("--mcp-config");
    expect(args.slice(at + 1, at + 3)).toEqual(["/etc/mcp.json", clientServerConfig]);
    expect(flag(args, "--allowedTools")).toBe("mcp__fixture,mcp__client");
    expect(flag(args, "--tools")).toBe("");
    expect(flag(args, "--json-schema")).toBe('{"type":"object"}');
    expect(claudeArguments(configure({ tools: { keep_builtin_tools: true } }), { clientTools: true })).not.toContain(
      "--tools",
    );
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

  it("rejects an MCP setup that names no servers or two sources", () => {
    expect(() => configure({ mcp: { enabled: true } })).toThrow(/mcp.config_file/);
    expect(() => configure({ mcp: { config_json: "[]" } })).toThrow(/mcpServers/);
  });
});
