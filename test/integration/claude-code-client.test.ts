/**
 * Claude Code itself as a client: the real `claude -p` pointed at the gateway
 * (ANTHROPIC_BASE_URL), the gateway's own real CLI answering from the mock Anthropic API. A plain
 * prompt, and one whose model calls the outer Claude Code's Bash tool: the outer CLI runs it on its
 * side and its result comes back through the gateway to the waiting turn.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, expect, it } from "vitest";
import { runClaudeClient } from "../support/run-claude-client.js";
import { startTestGateway, type TestGateway } from "../support/start-test-gateway.js";

const key = "sk-outer-claude-key";
let test: TestGateway;
beforeAll(async () => {
  test = await startTestGateway({ auth: { keys: [{ name: "outer", key }] } });
});
afterAll(() => test.close());

it("answers a plain prompt", async () => {
  const run = await runClaudeClient({ baseUrl: test.url, apiKey: key, prompt: "hello from the outer claude" });
  expect(run.stderr).toBe("");
  expect(run.stdout.trim()).toBe("ECHO: hello from the outer claude");
  expect(run.exitCode).toBe(0);
  // The outer CLI's system prompt reaches the model, its per-conversation billing line does not
  // (it would make every Claude Code conversation a launch profile of its own).
  // (The gateway's own CLI adds its own billing line: one, not two.)
  const system = JSON.stringify(test.environment.mock.messageRequests().at(-1)?.body.system);
  expect(system).toContain("Claude");
  expect(system.match(/x-anthropic-billing-header/g)).toHaveLength(1);
});

it("gives one user's Claude Code conversations one launch profile, not one each", async () => {
  const directory = mkdtempSync(join(tmpdir(), "ccapi-claude-user-"));
  try {
    const profiles = async (prompt: string) => {
      await runClaudeClient({ baseUrl: test.url, apiKey: key, prompt, directory });
      return new Set(
        test
          .pool()
          .members.map((member) => member.profile)
          .filter((profile) => profile !== null),
      );
    };
    const before = await profiles("first conversation");
    const after = await profiles("second conversation");
    expect([...after]).toEqual([...before]);
  } finally {
    rmSync(directory, { recursive: true, force: true });
  }
});

it("runs the outer Claude Code's own tool, and the result reaches the waiting turn", async () => {
  const prompt = `run it [[tool:mcp__client__Bash ${JSON.stringify({ command: "echo ran-by-the-outer-claude" })}]]`;
  const run = await runClaudeClient({
    baseUrl: test.url,
    apiKey: key,
    prompt,
    extraArgs: ["--allowedTools", "Bash(echo:*)"],
  });
  expect(run.stderr).toBe("");
  expect(run.stdout.trim()).toBe("TOOL_RESULT: ran-by-the-outer-claude");
  expect(run.exitCode).toBe(0);
  // The model's call went out as the outer CLI's own tool, and its result came back as a tool result.
  const requests = test.environment.mock.messageRequests();
  const last = requests.at(-1)?.body.messages?.at(-1);
  expect(JSON.stringify(last)).toContain("ran-by-the-outer-claude");
});

it("tells the outer Claude Code a wrong key in its own terms", async () => {
  const run = await runClaudeClient({ baseUrl: test.url, apiKey: "sk-wrong", prompt: "hello" });
  expect(run.exitCode).not.toBe(0);
  expect(run.stdout + run.stderr).toMatch(/invalid API key|401|authentication/i);
});
