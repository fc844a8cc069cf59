/**
 * Earlier turns from a stateless client, as one text block ahead of the new message.
 *
 * Why text: a warm CLI process cannot be handed a structured history. Measured: an `assistant`
 * input line is appended without an API call, but user lines either start a turn or (with
 * `shouldQuery:false`) are merged into the NEXT user turn, so turn order cannot be rebuilt.
 * Conversations the gateway itself served continue as real CLI sessions instead (see
 * docs/decisions/0002-history-from-stateless-clients.md).
 */
import type { ContentBlock } from "../claude/protocol.js";
import type { TurnMessage } from "./turn-message.js";

function renderMessage(message: TurnMessage): string {
  const name = message.name ? ` name=${message.name}` : "";
  if (message.role === "tool") {
    const call = message.callId ? ` for call ${message.callId}` : "";
    return `[tool result${call}${name}]\n${message.text}`;
  }
  const calls = (message.toolCalls ?? [])
    .map((call) => `\n[called ${call.name || "a tool"}(${call.arguments})]`)
    .join("");
  return `[${message.role}${name}]\n${message.text}${calls}`;
}

export function renderHistory(messages: readonly TurnMessage[]): string {
  return [
    "<conversation_history>",
    "The conversation so far, oldest first. Continue it by answering the user's latest message, which follows.",
    "",
    messages.map(renderMessage).join("\n\n"),
    "</conversation_history>",
  ].join("\n");
}

/**
 * The content of a turn: the new input, preceded — when the conversation is not continued in its
 * CLI session — by the earlier messages rendered as text (the newest `maxMessages` of them).
 */
export function composeTurnContent(
  replay: readonly TurnMessage[],
  newBlocks: readonly ContentBlock[],
  maxMessages: number,
): ContentBlock[] {
  const kept = replay.slice(-maxMessages);
  const omitted = replay.length - kept.length;
  if (kept.length === 0) return [...newBlocks];
  const note = omitted > 0 ? `[${omitted} earlier messages omitted]\n\n` : "";
  return [{ type: "text", text: note + renderHistory(kept) }, ...newBlocks];
}
