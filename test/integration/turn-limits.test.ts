/**
 * The CLI's own limits (--max-budget-usd, --max-turns) end a turn with an error result; the
 * gateway maps them to clear OpenAI errors. Real CLI + mock API, driven directly (the
 * configuration keys claude.max_turns and claude.max_budget_usd: agent-configuration.test.ts).
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { readTurnOutput } from "../../src/turns/read-turn-output.js";
import { type ClaudeTestEnvironment, createClaudeTestEnvironment } from "../support/claude-test-environment.js";

let environment: ClaudeTestEnvironment;
beforeAll(async () => {
  environment = await createClaudeTestEnvironment();
});
afterAll(() => environment.close());

async function failureOf(extraArgs: string[], prompt: string) {
  const process = environment.startProcess(extraArgs);
  try {
    await process.sendControlRequest({ subtype: "initialize" });
    for await (const _event of readTurnOutput(process.startTurn(prompt), "sonnet")) {
      // the turn must fail before finishing
    }
    throw new Error("the turn did not fail");
  } catch (error) {
    return error;
  } finally {
    await process.close();
  }
}

describe("turn limits", () => {
  it("maps an exhausted --max-budget-usd to 429 insufficient_quota, not to be retried", async () => {
    const error = await failureOf(["--max-budget-usd", "0.000001"], "hello");
    expect(error).toMatchObject({ status: 429, type: "insufficient_quota", code: "budget_exceeded", retryable: false });
  });

  it("maps an exhausted --max-turns to 422 max_turns_exceeded", async () => {
    const error = await failureOf(["--max-turns", "1"], '[[tool:Read {"file_path":"/etc/hostname"}]]');
    expect(error).toMatchObject({ status: 422, code: "max_turns_exceeded" });
  });
});
