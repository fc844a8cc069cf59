import { describe, expect, it } from "vitest";
import { expectBadRequest } from "../../test/support/expect-bad-request.js";
import { ignoredToolTypes, parseResponseTools } from "./response-tools.js";
import { parseResponsesRequest } from "./responses-request.js";

const tools = (body: Record<string, unknown>) => parseResponseTools(parseResponsesRequest(body));
const weather = { type: "function", name: "get_weather", description: "Weather", parameters: { type: "object" } };
const agents = {
  type: "namespace",
  name: "multi_agent_v1",
  description: "Sub-agents.",
  tools: [
    { type: "function", name: "spawn_agent", description: "Spawn one.", strict: false, parameters: { type: "object" } },
    { type: "function", name: "wait_agent", parameters: { type: "object" }, defer_loading: true },
  ],
};

function expectInvalid(body: Record<string, unknown>, param: string, code?: string) {
  expectBadRequest(() => tools(body), param, code);
}

describe("parseResponseTools", () => {
  it("offers flat function tools", () => {
    expect(tools({ tools: [weather] })?.tools).toEqual([
      { name: "get_weather", description: "Weather", inputSchema: { type: "object" } },
    ]);
  });

  it("offers a namespace's functions under qualified names, the namespace's description added", () => {
    expect(tools({ tools: [agents] })?.tools).toEqual([
      {
        name: "multi_agent_v1__spawn_agent",
        description: "Spawn one.\n\n(multi_agent_v1: Sub-agents.)",
        inputSchema: { type: "object" },
      },
      {
        name: "multi_agent_v1__wait_agent",
        description: "(multi_agent_v1: Sub-agents.)",
        inputSchema: { type: "object" },
      },
    ]);
  });

  it("leaves out OpenAI-hosted tools; none left is no tools", () => {
    for (const type of Object.keys(ignoredToolTypes)) expect(tools({ tools: [{ type }] })).toBeUndefined();
    expect(tools({ tools: [{ type: "web_search", external_web_access: false }, weather] })?.tools).toHaveLength(1);
  });

  it("refuses tools the client would run or that bring its own data", () => {
    for (const type of [
      "custom",
      "file_search",
      "mcp",
      "local_shell",
      "shell",
      "apply_patch",
      "computer_use_preview",
    ]) {
      expectInvalid({ tools: [weather, { type, name: "x" }] }, "tools[1].type", "unsupported_tool_type");
    }
    expectInvalid(
      { tools: [{ ...agents, tools: [{ type: "custom", name: "apply_patch" }] }] },
      "tools[0].tools[0].type",
      "unsupported_tool_type",
    );
  });

  it("keeps the key of a set whatever the choice, and says required and named choices", () => {
    const auto = tools({ tools: [weather, agents] });
    const required = tools({ tools: [weather, agents], tool_choice: "required" });
    const named = tools({ tools: [weather, agents], tool_choice: { type: "function", name: "spawn_agent" } });
    expect(required?.key).toBe(auto?.key);
    expect(auto?.instruction).toBeUndefined();
    expect(required?.instruction).toContain("must call at least one");
    expect(named?.instruction).toContain("multi_agent_v1__spawn_agent");
    expect(tools({ tools: [weather], tool_choice: "none" })).toBeUndefined();
    expect(tools({ tools: [weather], parallel_tool_calls: false })?.instruction).toContain("at most one");
  });

  it("offers only the allowed tools", () => {
    const allowed = tools({
      tools: [weather, agents],
      tool_choice: {
        type: "allowed_tools",
        mode: "required",
        tools: [
          { type: "function", name: "get_weather" },
          { type: "function", name: "wait_agent" },
          { type: "web_search" },
        ],
      },
    });
    expect(allowed?.tools.map((tool) => tool.name)).toEqual(["get_weather", "multi_agent_v1__wait_agent"]);
    expect(allowed?.instruction).toContain("must call at least one");
  });

  it("names the param of a choice it cannot honour", () => {
    expectInvalid({ tools: [weather], tool_choice: { type: "function", name: "nope" } }, "tool_choice");
    expectInvalid({ tools: [weather], tool_choice: { type: "web_search_preview" } }, "tool_choice.type");
    expectInvalid({ tools: [weather], tool_choice: "sometimes" }, "tool_choice");
    expectInvalid(
      {
        tools: [weather],
        tool_choice: { type: "allowed_tools", mode: "auto", tools: [{ type: "function", name: "x" }] },
      },
      "tool_choice.tools[0].name",
    );
    expectInvalid(
      { tools: [weather], tool_choice: { type: "allowed_tools", mode: "sometimes", tools: [] } },
      "tool_choice.mode",
    );
    expectInvalid({ tools: [{ type: "web_search" }], tool_choice: "required" }, "tool_choice");
    expectInvalid({ tools: [{ type: "function", name: "bad name" }] }, "tools[0].name");
    expectInvalid({ tools: [{ ...agents, name: "n".repeat(60) }] }, "tools[0].tools[0].name");
  });
});
