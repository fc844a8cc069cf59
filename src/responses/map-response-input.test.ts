import { describe, expect, it } from "vitest";
import { expectBadRequest } from "../../test/support/expect-bad-request.js";
import type { ChatMessage } from "../openai/chat-completion-request.js";
import { mapChatMessages } from "../openai/map-chat-messages.js";
import { AnswerSoFar } from "../turns/answer-so-far.js";
import type { TurnEvent } from "../turns/turn-event.js";
import { historyEntry, imageMarker, toolCallsEntry } from "../turns/turn-message.js";
import { collectResponse } from "./collect-response.js";
import { mapResponseInput } from "./map-response-input.js";
import { newResponseIdentity } from "./response-object.js";
import { parseResponsesRequest } from "./responses-request.js";

const map = (body: Record<string, unknown>) => mapResponseInput(parseResponsesRequest(body));

function expectInvalid(body: Record<string, unknown>, param: string, code?: string) {
  expectBadRequest(() => map(body), param, code);
}

const png = "data:image/png;base64,iVBORw0KGgo=";

describe("mapResponseInput", () => {
  it("takes a string input as one user message", () => {
    expect(map({ input: " hello " })).toEqual({
      systemPrompt: undefined,
      history: [],
      input: {
        kind: "messages",
        messages: [{ role: "user", text: " hello " }],
        blocks: [{ type: "text", text: " hello " }],
      },
    });
  });

  it("joins instructions, system and developer messages into the system prompt", () => {
    const mapped = map({
      instructions: "Be brief.",
      input: [
        { type: "message", role: "developer", content: [{ type: "input_text", text: "Use English." }] },
        { role: "system", content: "No jokes." },
        { role: "user", content: "hi" },
      ],
    });
    expect(mapped.systemPrompt).toBe("Be brief.\n\nUse English.\n\nNo jokes.");
    expect(mapped.history).toEqual([]);
  });

  it("takes the trailing user messages as the input, images as image requests", () => {
    const mapped = map({
      input: [
        { role: "user", content: "earlier" },
        { role: "assistant", content: [{ type: "output_text", text: "reply", annotations: [] }] },
        { role: "user", content: [{ type: "input_text", text: "look" }] },
        { role: "user", content: [{ type: "input_image", image_url: png, detail: "auto" }] },
      ],
    });
    expect(mapped.history.map(historyEntry)).toEqual([
      { role: "user", text: "earlier" },
      { role: "assistant", text: "reply" },
    ]);
    expect(mapped.input).toEqual({
      kind: "messages",
      messages: [
        { role: "user", text: "look" },
        { role: "user", text: imageMarker(png) },
      ],
      blocks: [
        { type: "text", text: "look" },
        { type: "image_request", url: png, param: "input[3].content[0].image_url" },
      ],
    });
  });

  it("takes trailing function_call_outputs as tool results", () => {
    const mapped = map({
      input: [
        { role: "user", content: "weather?" },
        { type: "function_call", call_id: "call_1", name: "get_weather", arguments: '{"city":"Paris"}' },
        { type: "reasoning", id: "rs_1", summary: [] },
        { type: "function_call_output", call_id: "call_1", output: "Sunny" },
        {
          type: "function_call_output",
          call_id: "call_2",
          output: [
            { type: "input_text", text: "a chart:" },
            { type: "input_image", image_url: png },
          ],
        },
      ],
    });
    expect(mapped.input).toEqual({
      kind: "tool_results",
      results: [
        { callId: "call_1", text: "Sunny" },
        // The image is marked in the text (the record) and given as an image (the model).
        {
          callId: "call_2",
          text: `a chart:\n${imageMarker(png)}`,
          images: [{ url: png, param: "input[4].output[1].image_url" }],
        },
      ],
    });
    expect(mapped.history).toEqual([
      { role: "user", text: "weather?" },
      {
        role: "assistant",
        text: "",
        toolCalls: [{ id: "call_1", name: "get_weather", arguments: '{"city":"Paris"}' }],
      },
    ]);
  });

  it("qualifies a namespaced call as the model was offered it", () => {
    const mapped = map({
      input: [
        { role: "user", content: "spawn" },
        { type: "function_call", call_id: "c", namespace: "multi_agent_v1", name: "spawn_agent", arguments: "{}" },
        { type: "function_call_output", call_id: "c", output: "ok" },
      ],
    });
    expect(mapped.history[1]).toMatchObject({ toolCalls: [{ name: "multi_agent_v1__spawn_agent" }] });
  });

  it("names the param of what it cannot take", () => {
    expectInvalid({ input: [{ type: "bogus" }] }, "input[0].type", "unsupported_item_type");
    expectInvalid({ input: [{ type: "item_reference", id: "msg_1" }] }, "input[0]", "unsupported_item_type");
    expectInvalid({ input: [{ id: "msg_1" }] }, "input[0]", "unsupported_item_type");
    expectInvalid({ input: [{ content: "no role" }] }, "input[0].type", "missing_required_parameter");
    expectInvalid({ input: [{ role: "robot", content: "x" }] }, "input[0].role");
    expectInvalid(
      { input: [{ role: "user", content: [{ type: "input_file", file_id: "file_1" }] }] },
      "input[0].content[0]",
      "unsupported_content_type",
    );
    expectInvalid(
      {
        input: [
          {
            role: "user",
            content: [
              { type: "input_text", text: "a" },
              { type: "input_image", file_id: "f" },
            ],
          },
        ],
      },
      "input[0].content[1].file_id",
      "unsupported_content_type",
    );
    expectInvalid(
      { input: [{ role: "user", content: [{ type: "input_image", detail: "auto" }] }] },
      "input[0].content[0].image_url",
      "missing_required_parameter",
    );
    expectInvalid({ input: [{ role: "user", content: [{ type: "audio" }] }] }, "input[0].content[0].type");
    expectInvalid(
      {
        input: [
          { role: "user", content: "x" },
          { type: "function_call", name: "f", arguments: "{}" },
        ],
      },
      "input[1].call_id",
      "missing_required_parameter",
    );
    expectInvalid({ input: [{ type: "function_call_output", call_id: "c", output: 3 }] }, "input[0].output");
    expectInvalid(
      {
        input: [
          { role: "user", content: "x" },
          { role: "assistant", content: "y" },
        ],
      },
      "input[1].role",
    );
    expectInvalid(
      {
        input: [
          { role: "user", content: "x" },
          { type: "function_call", call_id: "c", name: "f", arguments: "{}" },
        ],
      },
      "input[1].type",
    );
    expectInvalid({ input: [{ role: "developer", content: "only system" }] }, "input");
    expectInvalid({ input: "" }, "input");
    expectInvalid({ input: [{ role: "user", content: [] }] }, "input[0].content");
    expectInvalid({}, "input", "missing_required_parameter");
  });
});

describe("the same conversation in both dialects", () => {
  const chat: ChatMessage[] = [
    { role: "system", content: "Be brief." },
    { role: "developer", content: [{ type: "text", text: "Use English." }] },
    {
      role: "user",
      content: [
        { type: "text", text: "What is in this picture?" },
        { type: "image_url", image_url: { url: png } },
      ],
    },
    { role: "assistant", content: "A cat." },
    { role: "user", content: "Weather in Paris and Oslo?" },
    {
      role: "assistant",
      content: "Let me check.",
      tool_calls: [
        { id: "call_1", type: "function", function: { name: "get_weather", arguments: '{"city":"Paris"}' } },
        { id: "call_2", type: "function", function: { name: "get_weather", arguments: '{"city":"Oslo"}' } },
      ],
    },
    { role: "tool", tool_call_id: "call_1", content: "Sunny" },
    { role: "tool", tool_call_id: "call_2", content: [{ type: "text", text: "Snow" }] },
    { role: "assistant", content: "Paris is sunny, Oslo snowy." },
    { role: "user", content: "Thanks!" },
  ];
  const responses = {
    instructions: "Be brief.",
    input: [
      { role: "developer", content: [{ type: "input_text", text: "Use English." }] },
      {
        type: "message",
        role: "user",
        content: [
          { type: "input_text", text: "What is in this picture?" },
          { type: "input_image", image_url: png, detail: "auto" },
        ],
      },
      {
        type: "message",
        role: "assistant",
        id: "msg_1",
        status: "completed",
        content: [{ type: "output_text", text: "A cat.", annotations: [], logprobs: [] }],
      },
      { role: "user", content: "Weather in Paris and Oslo?" },
      { type: "reasoning", id: "rs_1", summary: [{ type: "summary_text", text: "Two cities." }] },
      { role: "assistant", content: "Let me check." },
      { type: "function_call", id: "fc_1", call_id: "call_1", name: "get_weather", arguments: '{"city":"Paris"}' },
      { type: "function_call", id: "fc_2", call_id: "call_2", name: "get_weather", arguments: '{"city":"Oslo"}' },
      { type: "function_call_output", call_id: "call_1", output: "Sunny" },
      { type: "function_call_output", call_id: "call_2", output: [{ type: "input_text", text: "Snow" }] },
      { role: "assistant", content: [{ type: "output_text", text: "Paris is sunny, Oslo snowy." }] },
      { role: "user", content: "Thanks!" },
    ],
  };

  it("gives the same system prompt, history entries and input", () => {
    const fromChat = mapChatMessages(chat);
    const fromResponses = map(responses);
    expect(fromResponses.systemPrompt).toBe(fromChat.systemPrompt);
    expect(fromResponses.history.map(historyEntry)).toEqual(fromChat.history.map(historyEntry));
    expect(fromResponses.history).toEqual(fromChat.history);
    expect(fromResponses.input).toEqual(fromChat.input);
  });

  it("gives the same tool results when the turn waits on them", () => {
    const fromChat = mapChatMessages(chat.slice(0, 8));
    const fromResponses = map({ ...responses, input: responses.input.slice(0, 10) });
    expect(fromResponses.history.map(historyEntry)).toEqual(fromChat.history.map(historyEntry));
    expect(fromResponses.input).toEqual(fromChat.input);
  });
});

describe("our own output, sent back as input", () => {
  async function* turn(events: TurnEvent[]): AsyncGenerator<TurnEvent> {
    yield* events;
  }
  const usage = { input: 10, output: 5, cachedInput: 0, cacheWrite: 0, reasoning: 0 };

  it("reads as the answer the gateway recorded", async () => {
    const events: TurnEvent[] = [
      { type: "started", model: "claude-sonnet" },
      { type: "reasoning", text: "First look." },
      { type: "text", text: "I will check." },
      { type: "reasoning", text: "Now the tools." },
      { type: "text", text: "\n\nCalling them." },
      { type: "tool_call", index: 0, id: "toolu_1", name: "get_weather" },
      { type: "tool_call", index: 1, id: "toolu_2", name: "multi_agent_v1__spawn_agent" },
      { type: "tool_call_arguments", index: 1, fragment: '{"task":"x"}' },
      { type: "tool_call_arguments", index: 0, fragment: "{}" },
      { type: "paused", model: "claude-sonnet", usage },
    ];
    const answer = new AnswerSoFar();
    for (const event of events) answer.add(event);
    const request = parseResponsesRequest({
      input: "weather?",
      reasoning: { summary: "auto" },
      tools: [
        { type: "function", name: "get_weather", parameters: { type: "object" } },
        {
          type: "namespace",
          name: "multi_agent_v1",
          description: "agents",
          tools: [{ type: "function", name: "spawn_agent" }],
        },
      ],
    });
    const response = await collectResponse(turn(events), {
      request,
      identity: newResponseIdentity(undefined),
      model: "m",
    });
    const next = map({
      input: [
        { role: "user", content: "weather?" },
        ...response.output,
        { type: "function_call_output", call_id: "toolu_1", output: "Sunny" },
        { type: "function_call_output", call_id: "toolu_2", output: "spawned" },
      ],
    });
    expect(next.history.map(historyEntry)).toEqual([
      { role: "user", text: "weather?" },
      toolCallsEntry(answer.content, answer.toolCalls),
    ]);
  });
});
