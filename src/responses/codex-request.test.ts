/** A request as Codex CLI 0.169.0 really sends it (test/fixtures/client-captures) parses and maps. */
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { specViolations } from "../../test/support/openapi-validator.js";
import { mapResponseInput } from "./map-response-input.js";
import { rejectUnsupportedResponseFields } from "./response-field-policy.js";
import { parseTextFormat } from "./response-format.js";
import { mapResponseReasoningEffort, wantsReasoningSummary } from "./response-reasoning.js";
import { parseResponseTools } from "./response-tools.js";
import { parseResponsesRequest } from "./responses-request.js";

const capture = JSON.parse(
  readFileSync(
    new URL("../../test/fixtures/client-captures/codex-0.169.0-responses-request.json", import.meta.url),
    "utf8",
  ),
) as { body: { input: Array<{ role: string; content: Array<{ text: string }> }> } };
const body = capture.body;

describe("a Codex 0.169.0 request", () => {
  it("is a CreateResponse by OpenAI's spec", () => {
    expect(specViolations("CreateResponse", body)).toEqual([]);
  });

  it("parses, with no field the gateway must refuse", () => {
    const request = parseResponsesRequest(body);
    expect(() => rejectUnsupportedResponseFields(request)).not.toThrow();
    expect(parseTextFormat(request)).toBeUndefined();
    expect(mapResponseReasoningEffort(request)).toBeUndefined();
    expect(wantsReasoningSummary(request)).toBe(true);
  });

  it("maps its two developer messages to the system prompt and its two user messages to the input", () => {
    const mapped = mapResponseInput(parseResponsesRequest(body));
    const [developer, permissions, environment, prompt] = body.input;
    const partsOf = (message: typeof developer) => message?.content.map((part) => part.text).join("\n");
    expect(mapped.systemPrompt).toBe(`${partsOf(developer)}\n\n${partsOf(permissions)}`);
    expect(mapped.history).toEqual([]);
    expect(mapped.input).toEqual({
      kind: "messages",
      messages: [
        { role: "user", text: partsOf(environment) },
        { role: "user", text: "say hi" },
      ],
      blocks: [
        { type: "text", text: partsOf(environment) },
        { type: "text", text: prompt?.content[0]?.text },
      ],
    });
  });

  it("offers its function tools, the multi_agent_v1 namespace qualified, and leaves out web_search", () => {
    const tools = parseResponseTools(parseResponsesRequest(body));
    expect(tools?.tools.map((tool) => tool.name)).toEqual([
      "exec_command",
      "write_stdin",
      "request_user_input",
      "view_image",
      "multi_agent_v1__close_agent",
      "multi_agent_v1__resume_agent",
      "multi_agent_v1__send_input",
      "multi_agent_v1__spawn_agent",
      "multi_agent_v1__wait_agent",
      "get_goal",
      "create_goal",
      "update_goal",
    ]);
    // tool_choice "auto" and parallel_tool_calls true: nothing to say to the model.
    expect(tools?.instruction).toBeUndefined();
  });
});
