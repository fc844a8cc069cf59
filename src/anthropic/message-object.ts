/** A Messages API answer: its identity, the object, and the thinking a request asked to see. */
import { randomBytes } from "node:crypto";
import type { AnthropicUsage, StopReason } from "./message-usage.js";
import type { MessagesRequest } from "./messages-request.js";

export type MessageContentBlock =
  | { type: "text"; text: string }
  | { type: "thinking"; thinking: string; signature: string }
  | { type: "tool_use"; id: string; name: string; input: unknown };

export interface AnthropicMessage {
  id: string;
  type: "message";
  role: "assistant";
  model: string;
  content: MessageContentBlock[];
  stop_reason: StopReason | null;
  stop_sequence: null;
  /** Anthropic's refusal details (a category); the CLI does not pass them on. */
  stop_details: null;
  usage: AnthropicUsage;
}

export function newMessageId(): string {
  return `msg_${randomBytes(12).toString("hex")}`;
}

/**
 * Thinking blocks as Anthropic gives them: only when the request turned thinking on (`enabled`,
 * `adaptive`), with the text unless `display: "omitted"`. The CLI may think either way; a client
 * that did not ask gets no blocks it would not get from Anthropic.
 */
export type ThinkingDisplay = "shown" | "omitted" | "hidden";

export function thinkingDisplay(request: Pick<MessagesRequest, "thinking">): ThinkingDisplay {
  const thinking = request.thinking;
  if (!thinking || thinking.type === "disabled") return "hidden";
  return thinking.display === "omitted" ? "omitted" : "shown";
}

/** A tool call's arguments as the object Anthropic's `input` is (the model's text, parsed). */
export function toolInput(text: string): unknown {
  try {
    const input = JSON.parse(text === "" ? "{}" : text) as unknown;
    return typeof input === "object" && input !== null ? input : {};
  } catch {
    return {};
  }
}
