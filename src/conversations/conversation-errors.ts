/** The ways a request can name or continue a conversation wrongly. */
import { GatewayError, invalidRequest, notFound } from "../errors.js";

export function conversationNotFound(id: string, param: string | null): GatewayError {
  return notFound(`No conversation found with id '${id}'.`, "conversation_not_found", param);
}

export function invalidConversationId(id: string, param: string): GatewayError {
  return invalidRequest(
    `Invalid conversation id '${id.slice(0, 100)}': expected 'conv_' followed by 48 hex digits.`,
    param,
    "invalid_conversation_id",
  );
}

export function conversationBusy(id: string): GatewayError {
  return new GatewayError(
    `Conversation '${id}' is answering another request; send the next message when that one has finished.`,
    { status: 409, type: "invalid_request_error", param: "conversation_id", code: "conversation_busy" },
  );
}

export function historyMismatch(id: string): GatewayError {
  return invalidRequest(
    `The messages do not continue conversation '${id}': send only the new user message(s), or the conversation's full history followed by them.`,
    "messages",
    "conversation_history_mismatch",
  );
}

export function systemPromptMismatch(id: string): GatewayError {
  return invalidRequest(
    `Conversation '${id}' runs with a different system prompt; a conversation keeps the system prompt of its first turn.`,
    "messages",
    "conversation_system_prompt_mismatch",
  );
}
