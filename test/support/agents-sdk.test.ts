/**
 * agentsRunner against a scripted Responses server (not the gateway): a tool round trip, streamed
 * and not, and a handoff, with what the SDK sends on each request.
 */
import { Agent, tool } from "@openai/agents";
import { afterEach, describe, expect, it } from "vitest";
import { z } from "zod";
import { agentsRunner } from "./agents-sdk.js";
import {
  assistantMessage,
  functionCall,
  type ScriptedResponsesServer,
  startScriptedResponsesServer,
} from "./scripted-responses-server.js";

const getWeather = tool({
  name: "get_weather",
  description: "Get the weather for a city",
  parameters: z.object({ city: z.string() }),
  execute: async ({ city }) => `Sunny in ${city}`,
});

describe("agentsRunner", () => {
  let server: ScriptedResponsesServer | undefined;

  afterEach(async () => {
    await server?.close();
    server = undefined;
  });

  it.each([false, true])("runs a tool round trip (stream: %s), sending the whole history each time", async (stream) => {
    server = await startScriptedResponsesServer([
      [functionCall("fc_1", "call_1", "get_weather", { city: "Paris" })],
      [assistantMessage("msg_2", "Sunny.")],
    ]);
    const agent = new Agent({ name: "Weather agent", instructions: "Answer.", model: "sonnet", tools: [getWeather] });
    const runner = agentsRunner(server.baseUrl, "sk-test");
    const result = stream
      ? await runner.run(agent, "Weather in Paris?", { stream: true })
      : await runner.run(agent, "Weather in Paris?");
    if ("completed" in result) {
      for await (const _event of result) {
      }
      await result.completed;
    }
    expect(result.finalOutput).toBe("Sunny.");
    expect(server.requests).toHaveLength(2);
    const second = server.requests[1]?.body;
    expect(second).toMatchObject({ model: "sonnet", instructions: "Answer.", stream, include: [] });
    expect(second).not.toHaveProperty("store");
    expect(second).not.toHaveProperty("previous_response_id");
    expect(second?.input).toEqual([
      { role: "user", content: "Weather in Paris?" },
      {
        id: "fc_1",
        type: "function_call",
        name: "get_weather",
        call_id: "call_1",
        arguments: '{"city":"Paris"}',
        status: "completed",
      },
      { type: "function_call_output", call_id: "call_1", output: "Sunny in Paris", status: "completed" },
    ]);
  });

  it("sends the next agent's instructions and tools after a handoff", async () => {
    server = await startScriptedResponsesServer([
      [functionCall("fc_1", "call_1", "transfer_to_Spanish_agent", {})],
      [assistantMessage("msg_2", "Hace sol.")],
    ]);
    const spanish = new Agent({
      name: "Spanish agent",
      instructions: "You only speak Spanish.",
      handoffDescription: "Speaks Spanish",
      model: "sonnet",
      tools: [getWeather],
    });
    const triage = new Agent({ name: "Triage agent", instructions: "Hand off.", model: "sonnet", handoffs: [spanish] });
    const result = await agentsRunner(server.baseUrl, "sk-test").run(triage, "¿Tiempo en París?");
    expect(result.finalOutput).toBe("Hace sol.");
    expect(result.lastAgent?.name).toBe("Spanish agent");
    const [first, second] = server.requests.map((request) => request.body);
    expect(first).toMatchObject({
      instructions: "Hand off.",
      tools: [{ type: "function", name: "transfer_to_Spanish_agent", parameters: { properties: {} } }],
    });
    expect(second).toMatchObject({
      instructions: "You only speak Spanish.",
      tools: [{ type: "function", name: "get_weather", strict: true }],
    });
    expect(second?.input).toEqual([
      { role: "user", content: "¿Tiempo en París?" },
      expect.objectContaining({ type: "function_call", name: "transfer_to_Spanish_agent", call_id: "call_1" }),
      {
        type: "function_call_output",
        call_id: "call_1",
        output: '{"assistant":"Spanish agent"}',
        status: "completed",
      },
    ]);
  });
});
