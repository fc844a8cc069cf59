/**
 * The Responses API's real clients against the gateway, the real CLI and the mock Anthropic API:
 * Codex CLI (`codex exec`, wire_api "responses") running a real command the model asked for, and
 * the OpenAI Agents SDK in its default mode with a function tool and with a handoff. Each tool
 * round trip continues the waiting turn of the same CLI process.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Agent, tool } from "@openai/agents";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { z } from "zod";
import { agentsRunner } from "../support/agents-sdk.js";
import { eventually } from "../support/eventually.js";
import { runCodex } from "../support/run-codex.js";
import { startTestGateway, type TestGateway } from "../support/start-test-gateway.js";

let test: TestGateway;
let workdir: string;
beforeAll(async () => {
  test = await startTestGateway({ tools: { pending_timeout_seconds: 30 } });
  workdir = mkdtempSync(join(tmpdir(), "codex-work-"));
});
afterAll(async () => {
  await test.close();
  rmSync(workdir, { recursive: true, force: true });
});

const call = (name: string, input: unknown) => `[[tool:mcp__client__${name} ${JSON.stringify(input)}]]`;

const getWeather = tool({
  name: "get_weather",
  description: "Get the weather for a city",
  parameters: z.object({ city: z.string() }),
  execute: async ({ city }) => `Sunny in ${city}`,
});

describe("Responses API clients", () => {
  it("Codex CLI runs the command the model called for and gets the answer that used its output", async () => {
    const run = await runCodex({
      baseUrl: `${test.url}/v1`,
      apiKey: "unused",
      model: "sonnet",
      prompt: call("exec_command", { cmd: "echo hi-from-codex" }),
      workdir,
      timeoutMs: 90_000,
    });
    expect(run.exitCode, run.stderr.slice(-2000)).toBe(0);
    // The mock answers a tool result with "TOOL_RESULT: <what the client sent>": Codex's output.
    expect(run.lastMessage).toContain("TOOL_RESULT:");
    expect(run.lastMessage).toContain("hi-from-codex");
    const requests = test.environment.mock.messageRequests();
    const offered = (requests.at(-1)?.body.tools ?? []).map((offeredTool) => offeredTool.name);
    expect(offered).toContain("mcp__client__exec_command");
    // One session: the result went to the waiting turn, not to a new conversation replayed as text.
    expect(JSON.stringify(requests.at(-1)?.body.messages)).not.toContain("conversation_history");
    await eventually(() => expect(test.pool().states.leased).toBe(0));
  });

  it.each([false, true])(
    "the Agents SDK (default Responses model, stream: %s) runs a function tool",
    async (stream) => {
      const runner = agentsRunner(`${test.url}/v1`, "unused");
      const agent = new Agent({ name: "Weather agent", instructions: "Answer.", model: "sonnet", tools: [getWeather] });
      const prompt = call("get_weather", { city: "Paris" });
      const result = stream ? await runner.run(agent, prompt, { stream: true }) : await runner.run(agent, prompt);
      if (stream && "completed" in result) await result.completed;
      expect(result.finalOutput).toBe("TOOL_RESULT: Sunny in Paris");
      await eventually(() => expect(test.pool().states.leased).toBe(0));
    },
  );

  it("the Agents SDK's handoff starts the new agent's turn, with its instructions and tools", async () => {
    const runner = agentsRunner(`${test.url}/v1`, "unused");
    const spanish = new Agent({
      name: "Spanish agent",
      instructions: "Answer in Spanish.",
      model: "sonnet",
      tools: [getWeather],
    });
    const triage = new Agent({ name: "Triage", instructions: "Hand over.", model: "sonnet", handoffs: [spanish] });
    const result = await runner.run(triage, call("transfer_to_Spanish_agent", {}));
    expect(result.lastAgent?.name).toBe("Spanish agent");
    // The new agent's turn ran under its own system prompt and offered its own tool.
    const last = test.environment.mock.messageRequests().at(-1)?.body;
    expect(JSON.stringify(last?.system)).toContain("Answer in Spanish.");
    expect((last?.tools ?? []).map((offered) => offered.name)).toEqual(["mcp__client__get_weather"]);
    expect(typeof result.finalOutput).toBe("string");
    await eventually(() => expect(test.pool().states.leased).toBe(0));
  });
});
