/**
 * The operator's agent settings reach the real CLI (for the operator, who has the agent grant on
 * keyless loopback once agent.enabled is set): MCP servers (a stdio server of our own), file access
 * (a Write outside the room's workspace denied by default, allowed with additional_dirs), turn and
 * budget limits, the fallback model, and the default effort.
 */
import { chmodSync, existsSync, mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { gatewaysClosedAfterEachTest, type TestGateway } from "../support/start-test-gateway.js";

const shoutServer = fileURLToPath(new URL("../fixtures/mcp-server/shout-server.mjs", import.meta.url));

const started = gatewaysClosedAfterEachTest();
const gateway = (options: Parameters<typeof started>[0] = {}) => started({ agent: { enabled: true }, ...options });
/** The operator's room: where its agents work. */
const roomWorkspace = (test: TestGateway) => join(test.environment.dataDirectory, "rooms", "operator", "workspace");
/** A directory an agent may be given: its CLI may run as the room's own user (under root). */
function sharedDirectory(path: string): string {
  mkdirSync(path);
  chmodSync(path, 0o777);
  return path;
}

async function ask(test: TestGateway, content: string, extra: Record<string, unknown> = {}) {
  const response = await test.post({ model: "sonnet", messages: [{ role: "user", content }], ...extra });
  const body = (await response.json()) as {
    choices?: Array<{ message: { content: string } }>;
    error?: { code: string };
  };
  return { status: response.status, content: body.choices?.[0]?.message.content, error: body.error };
}

const write = (path: string) => `[[tool:Write ${JSON.stringify({ file_path: path, content: "written" })}]]`;

describe("agent configuration", () => {
  it("gives the model the operator's MCP server, whose tool is called within a chat completion", async () => {
    const test = await gateway({
      mcp: {
        enabled: true,
        config_json: JSON.stringify({ mcpServers: { fixture: { command: process.execPath, args: [shoutServer] } } }),
      },
      file_access: { allowed_tools: ["mcp__fixture"] },
    });
    const reply = await ask(test, '[[tool:mcp__fixture__shout {"text":"hello mcp"}]]');
    expect(reply.content).toBe("Calling mcp__fixture__shout.\n\nTOOL_RESULT: HELLO MCP");
    const offered = (test.environment.mock.messageRequests().at(-1)?.body.tools ?? []).map((tool) => tool.name);
    expect(offered).toContain("mcp__fixture__shout");

    // The same servers from a file.
    const file = join(test.environment.directory, "mcp.json");
    writeFileSync(
      file,
      JSON.stringify({ mcpServers: { fixture: { command: process.execPath, args: [shoutServer] } } }),
      // The gateway's alone: under root a file the rooms' users could read stops start-up.
      { mode: 0o600 },
    );
    const fromFile = await gateway({
      environment: test.environment,
      mcp: { enabled: true, config_file: file },
      file_access: { allowed_tools: ["mcp__fixture"] },
    });
    expect((await ask(fromFile, '[[tool:mcp__fixture__shout {"text":"from a file"}]]')).content).toBe(
      "Calling mcp__fixture__shout.\n\nTOOL_RESULT: FROM A FILE",
    );
  });

  it("bypasses permissions with file_access.skip_permissions (as root only with IS_SANDBOX=1)", async () => {
    const test = await gateway({
      file_access: { skip_permissions: true },
      extraEnvironment: { IS_SANDBOX: "1" },
    });
    const outside = sharedDirectory(join(test.environment.directory, "anywhere"));
    await ask(test, write(join(outside, "bypassed.txt")));
    expect(existsSync(join(outside, "bypassed.txt"))).toBe(true);
  });

  it("denies a Write outside the workspace by default and allows it inside additional_dirs", async () => {
    const denied = await gateway({ file_access: { permission_mode: "acceptEdits" } });
    const outside = sharedDirectory(join(denied.environment.directory, "outside"));
    await ask(denied, write(join(outside, "denied.txt")));
    expect(existsSync(join(outside, "denied.txt"))).toBe(false);
    await ask(denied, write(join(roomWorkspace(denied), "inside.txt")));
    expect(existsSync(join(roomWorkspace(denied), "inside.txt"))).toBe(true);

    const allowed = await gateway({
      environment: denied.environment,
      file_access: { permission_mode: "acceptEdits", additional_dirs: [outside] },
    });
    await ask(allowed, write(join(outside, "allowed.txt")));
    expect(existsSync(join(outside, "allowed.txt"))).toBe(true);
  });

  it("keeps disallowed tools from the model", async () => {
    const test = await gateway({ file_access: { disallowed_tools: ["Bash", "Write"] } });
    await ask(test, "hello");
    const offered = (test.environment.mock.messageRequests().at(-1)?.body.tools ?? []).map((tool) => tool.name);
    expect(offered).toContain("Read");
    expect(offered).not.toContain("Bash");
    expect(offered).not.toContain("Write");
  });

  it("falls back to claude.fallback_model when the requested model is overloaded", async () => {
    const test = await gateway({
      claude: { fallback_model: "sonnet" },
      // The CLI switches after repeated 529s, so it must be allowed to retry here.
      extraEnvironment: { CLAUDE_CODE_MAX_RETRIES: "3" },
    });
    const reply = await ask(test, "still there?", { model: "mock-overloaded" });
    expect(reply.status).toBe(200);
    expect(reply.content).toBe("ECHO: still there?");
    const models = test.environment.mock.messageRequests().map((request) => request.body.model);
    expect(models[0]).toBe("mock-overloaded");
    expect(models.at(-1)).toMatch(/sonnet/);
  });

  it("applies claude.max_turns and claude.max_budget_usd from the configuration", async () => {
    const turns = await gateway({
      claude: { max_turns: 1 },
      file_access: { allowed_tools: ["Read"] },
    });
    expect((await ask(turns, '[[tool:Read {"file_path":"/etc/hostname"}]]')).status).toBe(422);
    const budget = await gateway({ claude: { max_budget_usd: 0.000001 } });
    const spent = await ask(budget, "hello");
    expect(spent.status).toBe(429);
    expect(spent.error?.code).toBe("budget_exceeded");
  });

  it("applies claude.effort to requests without reasoning_effort", async () => {
    const test = await gateway({ claude: { effort: "low" } });
    await ask(test, "hello");
    const body = test.environment.mock.messageRequests().at(-1)?.body as { output_config?: { effort?: string } };
    expect(body.output_config?.effort).toBe("low");
    await ask(test, "harder", { reasoning_effort: "high" });
    const next = test.environment.mock.messageRequests().at(-1)?.body as { output_config?: { effort?: string } };
    expect(next.output_config?.effort).toBe("high");
  });
});
