/**
 * The Responses API's `tools` / `tool_choice` / `parallel_tool_calls` → the client's functions for
 * the turn (see turns/client-tools.ts for what the CLI cannot enforce and how it is said instead).
 *
 * Function tools are flat here (`{type, name, parameters}`), not nested as in Chat Completions.
 * Namespace tools are offered function by function under qualified names (namespaced-functions.ts).
 * Tools OpenAI runs on its own servers are left out (`ignoredToolTypes`): the model is not offered
 * them, knows it has no such tool, and answers without — real clients send them by default (Codex
 * sends `web_search` with every request) and work without them. Every other type is refused with a
 * 400 `unsupported_tool_type`: those are tools the client itself would run (custom, local_shell,
 * shell, apply_patch, computer use) or that bring the client's own data or servers (file_search over
 * its vector stores, remote mcp) — dropping one would leave the model silently without a tool the
 * caller counts on.
 */
import { invalidRequest } from "../errors.js";
import { type ClientTools, clientToolsOf, type OfferedFunction, type ToolChoice } from "../turns/client-tools.js";
import { qualifiedFunctionName } from "./namespaced-functions.js";
import type { ResponsesRequest } from "./responses-request.js";

const hostedSearch = "OpenAI's hosted web search; the model answers without searching the web";

/** Tool types left out of the turn, and why leaving them out is safe. */
export const ignoredToolTypes: Readonly<Record<string, string>> = {
  web_search: hostedSearch,
  web_search_2025_08_26: hostedSearch,
  web_search_preview: hostedSearch,
  web_search_preview_2025_03_11: hostedSearch,
  image_generation: "OpenAI's hosted image generation; the model answers in text and says it cannot draw",
  code_interpreter: "OpenAI's hosted code sandbox; the model answers without running code there",
  tool_search:
    "discovers deferred tools; every function of the request (defer_loading or not) is offered from the start instead",
};

/** A function as offered, with the name the model sees; a namespaced one also by its own name. */
interface Offered extends OfferedFunction {
  unqualified?: string;
}

function offeredFunctions(request: ResponsesRequest): Offered[] {
  return (request.tools ?? []).flatMap((tool, index): Offered[] => {
    const param = `tools[${index}]`;
    if (tool.type === "function") return [flatFunction(tool, param)];
    if (tool.type === "namespace") return namespaceFunctions(tool, param);
    if (Object.hasOwn(ignoredToolTypes, tool.type)) return [];
    throw unsupportedToolType(tool.type, `${param}.type`);
  });
}

function flatFunction(tool: Record<string, unknown>, param: string, namespace?: string): OfferedFunction {
  const name = typeof tool.name === "string" ? qualifiedFunctionName(namespace, tool.name) : tool.name;
  return {
    name,
    description: tool.description,
    parameters: tool.parameters,
    param,
    nameParam: `${param}.name`,
    parametersParam: `${param}.parameters`,
  };
}

function namespaceFunctions(tool: Record<string, unknown>, param: string): Offered[] {
  const { name: namespace, tools, description } = tool;
  if (typeof namespace !== "string" || namespace.length === 0) {
    throw invalidRequest(`Missing required parameter: '${param}.name'.`, `${param}.name`, "missing_required_parameter");
  }
  if (!Array.isArray(tools)) {
    throw invalidRequest(`Invalid value for '${param}.tools': expected an array.`, `${param}.tools`, "invalid_value");
  }
  return tools.map((inner: Record<string, unknown>, index) => {
    const innerParam = `${param}.tools[${index}]`;
    if (inner?.type !== "function") throw unsupportedToolType(String(inner?.type), `${innerParam}.type`);
    const offered = flatFunction(inner, innerParam, namespace);
    if (typeof offered.name === "string" && offered.name.length > 64) {
      throw invalidRequest(
        `'${offered.name}' is too long: a namespaced function is offered as <namespace>__<name>, at most 64 characters.`,
        `${innerParam}.name`,
        "invalid_value",
      );
    }
    // The namespace's description is all that tells the model what the group is for.
    const said = [inner.description, typeof description === "string" ? `(${namespace}: ${description})` : undefined];
    const joined = said.filter((text) => typeof text === "string").join("\n\n") || undefined;
    return { ...offered, description: joined, unqualified: typeof inner.name === "string" ? inner.name : undefined };
  });
}

function unsupportedToolType(type: string, param: string) {
  return invalidRequest(
    `Tools of type '${type}' are not supported: 'function' and 'namespace' tools are (${Object.keys(ignoredToolTypes).join(", ")} are ignored).`,
    param,
    "unsupported_tool_type",
  );
}

/** A name as given in tool_choice → the offered name: itself, or the one namespaced function so named. */
function offeredName(name: string, offered: readonly Offered[]): string | undefined {
  if (offered.some((fn) => fn.name === name)) return name;
  const namespaced = offered.filter((fn) => fn.unqualified === name);
  return namespaced.length === 1 ? (namespaced[0]?.name as string) : undefined;
}

interface Choice {
  choice: ToolChoice;
  /** allowed_tools: only these functions are offered (the model cannot call what it is not shown). */
  allowed?: Set<string>;
}

function toolChoice(choice: ResponsesRequest["tool_choice"], offered: readonly Offered[]): Choice {
  if (choice === undefined || choice === null || choice === "auto") return { choice: "auto" };
  if (choice === "required") return { choice: "required" };
  if (typeof choice === "string") {
    throw invalidRequest(`Invalid value for 'tool_choice': '${choice}'.`, "tool_choice", "invalid_value");
  }
  if (choice.type === "function") {
    const name = (choice as { name?: unknown }).name;
    if (typeof name !== "string") {
      throw invalidRequest(
        "Missing required parameter: 'tool_choice.name'.",
        "tool_choice.name",
        "missing_required_parameter",
      );
    }
    // clientToolsOf refuses a name it does not offer.
    return { choice: { name: offeredName(name, offered) ?? name } };
  }
  if (choice.type === "allowed_tools") return allowedTools(choice, offered);
  throw invalidRequest(
    `tool_choice of type '${choice.type}' forces a tool the gateway does not offer; name a function instead.`,
    "tool_choice.type",
    "unsupported_tool_choice",
  );
}

/**
 * The CLI cannot be told which offered tools are allowed, but it can be offered fewer: the listed
 * functions are the turn's tools. (A different set is another agent for the gateway, so a
 * conversation switching sets loses its warm session; correctness first.)
 */
function allowedTools(choice: Record<string, unknown>, offered: readonly Offered[]): Choice {
  const { mode, tools } = choice;
  if (mode !== "auto" && mode !== "required") {
    throw invalidRequest("tool_choice.mode must be 'auto' or 'required'.", "tool_choice.mode", "invalid_value");
  }
  if (!Array.isArray(tools)) {
    throw invalidRequest(
      "Missing required parameter: 'tool_choice.tools'.",
      "tool_choice.tools",
      "missing_required_parameter",
    );
  }
  const allowed = new Set<string>();
  tools.forEach((tool: { type?: unknown; name?: unknown; namespace?: unknown }, index) => {
    const param = `tool_choice.tools[${index}]`;
    if (typeof tool?.type === "string" && Object.hasOwn(ignoredToolTypes, tool.type)) return;
    if (tool?.type !== "function") throw unsupportedToolType(String(tool?.type), `${param}.type`);
    const given =
      typeof tool.name === "string"
        ? qualifiedFunctionName(typeof tool.namespace === "string" ? tool.namespace : undefined, tool.name)
        : undefined;
    const name = given === undefined ? undefined : offeredName(given, offered);
    if (name === undefined) {
      throw invalidRequest(`${param}.name must name one of the given functions.`, `${param}.name`, "invalid_value");
    }
    allowed.add(name);
  });
  return { choice: mode, allowed };
}

/** undefined: no client tools for this request (none given or left, or `tool_choice: "none"`). */
export function parseResponseTools(request: ResponsesRequest): ClientTools | undefined {
  if (request.tool_choice === "none") return undefined;
  const offered = offeredFunctions(request);
  const { choice, allowed } = toolChoice(request.tool_choice, offered);
  const kept = allowed ? offered.filter((fn) => allowed.has(fn.name as string)) : offered;
  if (kept.length === 0) {
    if (choice === "auto") return undefined;
    throw invalidRequest(
      "tool_choice asks for a function call, but the request offers no function tools.",
      "tool_choice",
      "invalid_value",
    );
  }
  return clientToolsOf(kept, choice, request.parallel_tool_calls);
}
