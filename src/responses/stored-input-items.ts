/**
 * A request's input as GET /v1/responses/{id}/input_items lists it: every item with an id and in
 * its full form (a string input is one user message; a message's string content one input_text).
 */
import { randomBytes } from "node:crypto";
import type { StoredInputItem } from "../store/conversation-store.js";
import type { ResponsesRequest } from "./responses-request.js";

type Item = Record<string, unknown>;

const prefixes: Record<string, string> = {
  message: "msg",
  function_call: "fc",
  function_call_output: "fco",
  reasoning: "rs",
};

function withId(item: Item): Item {
  if (typeof item.id === "string" && item.id.length > 0) return item;
  const prefix = prefixes[String(item.type)] ?? "item";
  return { id: `${prefix}_${randomBytes(24).toString("hex")}`, ...item };
}

function fullMessage(item: Item): Item {
  if (item.type !== undefined && item.type !== null && item.type !== "message") return item;
  const content =
    typeof item.content === "string"
      ? [{ type: item.role === "assistant" ? "output_text" : "input_text", text: item.content }]
      : item.content;
  return { ...item, type: "message", status: item.status ?? "completed", content };
}

/** Each item with its id, as the JSON text that is kept and listed (made before the turn runs). */
export function storedInputItems(request: ResponsesRequest): StoredInputItem[] {
  const input = request.input ?? [];
  const items: Item[] = typeof input === "string" ? [{ type: "message", role: "user", content: input }] : input;
  return items.map((item) => {
    const stored = withId(fullMessage(item));
    return { id: String(stored.id), json: JSON.stringify(stored) };
  });
}

/** The request fields a response echoes (and so stores again), in bytes. */
export function echoedBytes(request: ResponsesRequest): number {
  const { instructions, tools, tool_choice, text, reasoning, metadata } = request;
  return Buffer.byteLength(JSON.stringify({ instructions, tools, tool_choice, text, reasoning, metadata }));
}
