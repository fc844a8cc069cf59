/**
 * The client's functions for one turn, in no dialect: the tools the client tool server offers,
 * plus what the CLI cannot enforce, said to the model instead — the CLI has no tool_choice, so
 * `required`, a named function and `parallel_tool_calls: false` become an instruction appended to
 * the turn's input (best effort, documented). `key` tells whether two requests offer the same set.
 */
import { createHash } from "node:crypto";
import type { ClientTool } from "../claude/client-tool-server.js";
import { invalidRequest } from "../errors.js";

export interface ClientTools {
  tools: ClientTool[];
  /** Appended to the user's input when the caller constrains the calls. */
  instruction: string | undefined;
  /** The same for the same tools, whatever the choice: a changed set means another agent. */
  key: string;
}

/** auto (or nothing): the model decides; required: some function; { name }: that one. */
export type ToolChoice = "auto" | "required" | { name: string };

const namePattern = /^[a-zA-Z0-9_-]{1,64}$/;

export interface OfferedFunction {
  name: unknown;
  description: unknown;
  parameters: unknown;
  /** Where the function is in the request, for errors (e.g. `tools[2]`). */
  param: string;
  /** The dialect's path from `param` to the name and the parameters (e.g. `.function.name`). */
  nameParam: string;
  parametersParam: string;
}

export function clientToolsOf(
  offered: readonly OfferedFunction[],
  choice: ToolChoice,
  parallel: boolean | undefined | null,
  choiceParam = "tool_choice",
): ClientTools {
  const tools = offered.map((fn): ClientTool => {
    if (typeof fn.name !== "string" || !namePattern.test(fn.name)) {
      throw invalidRequest(
        "A function name must be 1–64 letters, digits, underscores or dashes.",
        fn.nameParam,
        "invalid_value",
      );
    }
    const parameters = fn.parameters ?? { type: "object", properties: {} };
    if (typeof parameters !== "object" || parameters === null || Array.isArray(parameters)) {
      throw invalidRequest("Function parameters must be a JSON Schema object.", fn.parametersParam);
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
  if (choice === "required") rules.push("you must call at least one of the provided functions now");
  else if (typeof choice === "object") {
    if (!names.has(choice.name)) {
      throw invalidRequest(`${choiceParam} must name one of the given functions.`, choiceParam, "invalid_value");
    }
    rules.push(`you must call the function ${choice.name} now`);
  }
  if (parallel === false) rules.push("call at most one function in this answer");
  const instruction = rules.length > 0 ? `[Instruction from the caller: ${rules.join("; ")}.]` : undefined;
  return { tools, instruction, key: toolsKey(tools) };
}

export function toolsKey(tools: readonly ClientTool[]): string {
  return createHash("sha256").update(JSON.stringify(tools)).digest("hex");
}
