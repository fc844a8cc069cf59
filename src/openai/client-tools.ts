/**
 * Chat Completions' `tools` / `tool_choice` / `parallel_tool_calls` → the client's functions for
 * the turn (see turns/client-tools.ts for what the CLI cannot enforce and how it is said instead).
 */
import { invalidRequest } from "../errors.js";
import { type ClientTools, clientToolsOf, type ToolChoice } from "../turns/client-tools.js";
import type { ChatCompletionRequest } from "./chat-completion-request.js";

/** undefined: no client tools for this request (none given, or `tool_choice: "none"`). */
export function parseClientTools(request: ChatCompletionRequest): ClientTools | undefined {
  const given = request.tools ?? [];
  if (given.length === 0 || request.tool_choice === "none") return undefined;
  const offered = given.map((tool, index) => {
    const param = `tools[${index}]`;
    if (tool.type !== "function") {
      throw invalidRequest(`Only tools of type 'function' are supported (got '${tool.type}').`, `${param}.type`);
    }
    const fn = (tool as { function?: { name?: unknown; description?: unknown; parameters?: unknown } }).function;
    return {
      name: fn?.name,
      description: fn?.description,
      parameters: fn?.parameters,
      param,
      nameParam: `${param}.function.name`,
      parametersParam: `${param}.function.parameters`,
    };
  });
  return clientToolsOf(offered, toolChoice(request.tool_choice), request.parallel_tool_calls);
}

function toolChoice(choice: ChatCompletionRequest["tool_choice"]): ToolChoice {
  if (choice === undefined || choice === "auto") return "auto";
  if (choice === "required") return "required";
  if (typeof choice === "object" && choice !== null) {
    const name = (choice as { function?: { name?: unknown } }).function?.name;
    if (choice.type !== "function" || typeof name !== "string") {
      throw invalidRequest("tool_choice must name one of the given functions.", "tool_choice", "invalid_value");
    }
    return { name };
  }
  throw invalidRequest(`Invalid value for 'tool_choice': '${String(choice)}'.`, "tool_choice", "invalid_value");
}
