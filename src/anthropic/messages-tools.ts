/**
 * Messages API `tools` / `tool_choice` → the client's functions for the turn (see
 * turns/client-tools.ts for what the CLI cannot enforce and how it is said instead). Custom tools
 * (no `type`, or `custom`) become real tools of the model; Anthropic's server and built-in tools
 * (web search, code execution, bash, text editor, …) run on Anthropic's side or need a client
 * contract of their own, so they are refused by name rather than silently dropped.
 */
import { invalidRequest } from "../errors.js";
import { type ClientTools, clientToolsOf, type ToolChoice } from "../turns/client-tools.js";
import type { MessagesRequest } from "./messages-request.js";

/** undefined: no client tools for this request (none given, or `tool_choice: none`). */
export function parseMessagesTools(request: Pick<MessagesRequest, "tools" | "tool_choice">): ClientTools | undefined {
  const given = request.tools ?? [];
  const choice = request.tool_choice;
  // Every tool is checked, offered or not: a tool this gateway cannot run is never dropped silently.
  const offered = given.map((tool, index) => {
    const param = `tools[${index}]`;
    if (tool.type !== undefined && tool.type !== null && tool.type !== "custom") {
      throw invalidRequest(
        `${param}.type: tools of type '${tool.type}' are not supported through this gateway (custom tools with an input_schema are).`,
        `${param}.type`,
        "unsupported_tool_type",
      );
    }
    return {
      name: tool.name,
      description: tool.description,
      parameters: tool.input_schema,
      param,
      nameParam: `${param}.name`,
      parametersParam: `${param}.input_schema`,
    };
  });
  if ((choice?.type === "any" || choice?.type === "tool") && given.length === 0) {
    throw invalidRequest(`tool_choice: '${choice.type}' needs tools to choose from.`, "tool_choice", "invalid_value");
  }
  if (given.length === 0 || choice?.type === "none") return undefined;
  return clientToolsOf(offered, toolChoice(choice), choice?.disable_parallel_tool_use === true ? false : undefined);
}

function toolChoice(choice: MessagesRequest["tool_choice"]): ToolChoice {
  if (choice === undefined || choice.type === "auto") return "auto";
  if (choice.type === "any") return "required";
  if (choice.type === "tool" && typeof choice.name === "string") return { name: choice.name };
  throw invalidRequest("tool_choice.name: a tool choice of type 'tool' names one of the tools.", "tool_choice.name");
}
