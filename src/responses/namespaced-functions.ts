/**
 * Functions grouped in a `namespace` tool (Codex sends its sub-agent tools as namespace
 * `multi_agent_v1`). The CLI knows no namespaces, so such a function is offered to the model under
 * one qualified name, `<namespace>__<name>`; a call of it goes back to the client as a
 * `function_call` with the namespace and the name apart, because that is how the client dispatches
 * it (Codex routes a call by name and namespace: a call named `multi_agent_v1__spawn_agent` would be
 * an unknown tool to it). A namespaced call the client sends back as history is qualified the same
 * way, so it reads as the call the model made.
 */
import type { ResponsesRequest } from "./responses-request.js";

/** How the client knows a function: its name, and its namespace if it has one. */
export interface ClientFunctionName {
  name: string;
  namespace?: string;
}

export function qualifiedFunctionName(namespace: string | null | undefined, name: string): string {
  return namespace ? `${namespace}__${name}` : name;
}

/**
 * The qualified names of the request's namespaced functions → their namespace and name. Only
 * namespaced functions are listed; any other called name is the client's name as it stands.
 */
export function namespacedFunctions(request: ResponsesRequest): Map<string, ClientFunctionName> {
  const names = new Map<string, ClientFunctionName>();
  for (const tool of request.tools ?? []) {
    const { name: namespace, tools } = tool as { name?: unknown; tools?: unknown };
    if (tool.type !== "namespace" || typeof namespace !== "string" || !Array.isArray(tools)) continue;
    for (const inner of tools as Array<{ type?: unknown; name?: unknown }>) {
      if (inner?.type !== "function" || typeof inner.name !== "string") continue;
      names.set(qualifiedFunctionName(namespace, inner.name), { name: inner.name, namespace });
    }
  }
  return names;
}
