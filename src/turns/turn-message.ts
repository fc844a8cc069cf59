/**
 * A conversation's messages in no dialect: what a request brings as history, how each counts for
 * recognising a conversation (its history entry), and how it reads when replayed as text. Both
 * OpenAI dialects map their messages here, so a conversation started in one continues in the other.
 */
import { createHash } from "node:crypto";
import type { HistoryEntry } from "../conversations/history-digest.js";
import type { ToolCall } from "./turn-event.js";

export type TurnMessage =
  | {
      role: "user" | "assistant";
      /** The content as text: images marked by `imageMarker`, parts the CLI cannot take named. */
      text: string;
      /** The sender's name, where the dialect has one. */
      name?: string;
      /** An assistant's calls of the client's functions. */
      toolCalls?: ToolCall[];
    }
  | { role: "tool"; callId: string; text: string; name?: string };

/** Which image it was counts for continuity, without quoting a whole data URL. */
export function imageMarker(url: string): string {
  return `[image ${createHash("sha256").update(url).digest("hex").slice(0, 16)}]`;
}

/** How a message counts for conversation continuity: role and text, whitespace at the ends ignored. */
export function historyEntry(message: TurnMessage): HistoryEntry {
  if (message.role === "tool") return toolResultEntry(message.callId, message.text);
  if (message.role === "assistant" && message.toolCalls?.length) return toolCallsEntry(message.text, message.toolCalls);
  return { role: message.role, text: message.text.trim() };
}

/** How an assistant message with tool calls counts for conversation continuity. */
export function toolCallsEntry(text: string, calls: readonly ToolCall[]): HistoryEntry {
  return {
    role: "assistant",
    text: JSON.stringify([text.trim(), calls.map((call) => [call.id, call.name, canonicalArguments(call.arguments)])]),
  };
}

/**
 * Arguments as compact JSON: the model's text may be spaced (`{"a": 1}`), and a client that parsed
 * it (Anthropic's `tool_use.input`) sends back an object, serialised its own way.
 */
function canonicalArguments(text: string): string {
  try {
    return JSON.stringify(JSON.parse(text));
  } catch {
    return text;
  }
}

/** How a tool result counts for conversation continuity. */
export function toolResultEntry(toolCallId: string, text: string): HistoryEntry {
  return { role: "tool", text: JSON.stringify([toolCallId, text.trim()]) };
}
