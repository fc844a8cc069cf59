/**
 * Earlier turns from a stateless client, as one text block ahead of the new message.
 *
 * Why text: a warm CLI process cannot be handed a structured history. Measured: an `assistant`
 * input line is appended without an API call, but user lines either start a turn or (with
 * `shouldQuery:false`) are merged into the NEXT user turn, so turn order cannot be rebuilt.
 * Conversations the gateway itself served continue as real CLI sessions instead (see
 * docs/decisions/0002-history-from-stateless-clients.md).
 */
import { createHash } from "node:crypto";
import type { ChatMessage } from "./chat-completion-request.js";

export function messageText(content: ChatMessage["content"]): string {
  if (typeof content === "string") return content;
  if (!content) return "";
  return content
    .map((part) => {
      if (part.type === "text" && typeof part.text === "string") return part.text;
      if (part.type === "refusal" && typeof part.refusal === "string") return part.refusal;
      if (part.type === "image_url") {
        // Which image it was counts for continuity, without quoting a whole data URL.
        const image = part.image_url as { url?: unknown } | string | undefined;
        const url = typeof image === "string" ? image : String(image?.url ?? "");
        return `[image ${createHash("sha256").update(url).digest("hex").slice(0, 16)}]`;
      }
      return `[${part.type} omitted]`;
    })
    .join("\n");
}

function renderMessage(message: ChatMessage): string {
  const name = message.name ? ` name=${message.name}` : "";
  if (message.role === "tool" || message.role === "function") {
    const call = message.tool_call_id ? ` for call ${message.tool_call_id}` : "";
    return `[tool result${call}${name}]\n${messageText(message.content)}`;
  }
  const calls = (message.tool_calls ?? [])
    .map((call) => `\n[called ${call.function?.name ?? "a tool"}(${call.function?.arguments ?? ""})]`)
    .join("");
  return `[${message.role}${name}]\n${messageText(message.content)}${calls}`;
}

export function renderHistory(messages: readonly ChatMessage[]): string {
  return [
    "<conversation_history>",
    "The conversation so far, oldest first. Continue it by answering the user's latest message, which follows.",
    "",
    messages.map(renderMessage).join("\n\n"),
    "</conversation_history>",
  ].join("\n");
}
