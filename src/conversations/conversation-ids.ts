/** Conversation and item ids, shaped like OpenAI's (`conv_…`, `msg_…`). */
import { randomBytes } from "node:crypto";

const conversationIdPattern = /^conv_[0-9a-f]{48}$/;

export function newConversationId(): string {
  return `conv_${randomBytes(24).toString("hex")}`;
}

export function newItemId(): string {
  return `msg_${randomBytes(24).toString("hex")}`;
}

export function isConversationId(value: string): boolean {
  return conversationIdPattern.test(value);
}
