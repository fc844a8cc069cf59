/**
 * OpenAI `tools` / `tool_choice` / `parallel_tool_calls` → the tools the client tool server offers,
 * plus what the CLI cannot enforce, said to the model instead: the CLI has no tool_choice, so
 * `required`, a named function and `parallel_tool_calls: false` become an instruction appended to
 * the turn's input (best effort, documented).
 */
import type { ClientTool } from "../claude/client-tool-server.js";
import type { HistoryEntry } from "../conversations/history-digest.js";
import { invalidRequest } from "../errors.js";
import type { ChatCompletionRequest } from "./chat-completion-request.js";

export interface ClientToolRequest {
  tools: ClientTool[];
  /** Appended to the user's input when the caller constrains the calls. */
  instruction: string | undefined;
}

const namePattern = /^[a-zA-Z0-9_-]{1,64}$/;

/** undefined: no client tools for this request (none given, or `tool_choice: "none"`). */
export function parseClientTools(request: ChatCompletionRequest): ClientToolRequest | undefined {
  const given = request.tools ?? [];
  if (given.length === 0 || request.tool_choice === "none") return undefined;
  const tools = given.map((tool, index): ClientTool => {
    const param = `tools[${index}]`;
    if (tool.type !== "function") {
      throw invalidRequest(`Only tools of type 'function' are supported (got '${tool.type}').`, `${param}.type`);
    }
    const fn = (tool as { function?: { name?: unknown; description?: unknown; parameters?: unknown } }).function;
    if (typeof fn?.name !== "string" || !namePattern.test(fn.name)) {
      throw invalidRequest(
        "A function name must be 1–64 letters, digits, underscores or dashes.",
        `${param}.function.name`,
        "invalid_value",
      );
    }
    const parameters = fn.parameters ?? { type: "object", properties: {} };
    if (typeof parameters !== "object" || parameters === null || Array.isArray(parameters)) {
      throw invalidRequest("Function parameters must be a JSON Schema object.", `${param}.function.parameters`);
    }
    return {
      name: fn.name,
      ...(typeof fn.description === "string" ? { description: fn.description } : {}),
      inputSchema: { type: "object", ...(parameters as Record<string, unknown>) },
    };
  });
  const names = new Set(tools.map((tool) => tool.name));
  if (names.size !== tools.length) throw invalidRequest("Function names must be unique.", "tools", "invalid_value");

  const rules: string[] = [];
  const choice = request.tool_choice;
  if (choice === "required") rules.push("you must call at least one of the provided functions now");
  else if (typeof choice === "object" && choice !== null) {
    const name = (choice as { function?: { name?: unknown } }).function?.name;
    if (choice.type !== "function" || typeof name !== "string" || !names.has(name)) {
      throw invalidRequest("tool_choice must name one of the given functions.", "tool_choice", "invalid_value");
    }
    rules.push(`you must call the function ${name} now`);
  } else if (choice !== undefined && choice !== "auto") {
    throw invalidRequest(`Invalid value for 'tool_choice': '${String(choice)}'.`, "tool_choice", "invalid_value");
  }
  if (request.parallel_tool_calls === false) rules.push("call at most one function in this answer");
  const instruction = rules.length > 0 ? `[Instruction from the caller: ${rules.join("; ")}.]` : undefined;
  return { tools, instruction };
}

/** How an assistant message with tool calls counts for conversation continuity. */
export function toolCallsEntry(
  text: string,
  calls: Array<{ id: string; name: string; arguments: string }>,
): HistoryEntry {
  return {
    role: "assistant",
    text: JSON.stringify([text.trim(), calls.map((call) => [call.id, call.name, call.arguments])]),
  };
}

/** How a tool result counts for conversation continuity. */
export function toolResultEntry(toolCallId: string, text: string): HistoryEntry {
  return { role: "tool", text: JSON.stringify([toolCallId, text.trim()]) };
}
