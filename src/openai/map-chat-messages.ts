/**
 * OpenAI `messages` → what one turn needs, in the engine's terms: the system prompt (fixed per
 * process, so part of the launch profile), the earlier messages, and the input — the trailing run
 * of user messages, or the trailing `tool` results for a turn waiting on them.
 */
import type { ContentBlock } from "../claude/protocol.js";
import { invalidRequest } from "../errors.js";
import { imageMarker, type TurnMessage } from "../turns/turn-message.js";
import type { MappedMessages } from "../turns/turn-request.js";
import type { ChatMessage } from "./chat-completion-request.js";

export type { MappedMessages } from "../turns/turn-request.js";

/** A chat message's content as text (images marked, other parts named). */
export function messageText(content: ChatMessage["content"]): string {
  if (typeof content === "string") return content;
  if (!content) return "";
  return content
    .map((part) => {
      if (part.type === "text" && typeof part.text === "string") return part.text;
      if (part.type === "refusal" && typeof part.refusal === "string") return part.refusal;
      if (part.type === "image_url") {
        const image = part.image_url as { url?: unknown } | string | undefined;
        return imageMarker(typeof image === "string" ? image : String(image?.url ?? ""));
      }
      return `[${part.type} omitted]`;
    })
    .join("\n");
}

/** A chat message in the engine's terms. */
export function turnMessage(message: ChatMessage): TurnMessage {
  const text = messageText(message.content);
  const name = message.name ? { name: message.name } : {};
  if (message.role === "tool" || message.role === "function") {
    return { role: "tool", callId: message.tool_call_id ?? "", text, ...name };
  }
  const toolCalls = (message.tool_calls ?? []).map((call) => ({
    id: call.id ?? "",
    name: call.function?.name ?? "",
    arguments: call.function?.arguments ?? "",
  }));
  const role = message.role === "assistant" ? "assistant" : "user";
  return { role, text, ...name, ...(toolCalls.length > 0 ? { toolCalls } : {}) };
}

function mapToolResults(
  conversation: Array<{ message: ChatMessage; index: number }>,
  systemPrompt: string | undefined,
): MappedMessages {
  let first = conversation.length;
  while (first > 0 && conversation[first - 1]?.message.role === "tool") first--;
  const results = conversation.slice(first).map(({ message, index }) => {
    if (!message.tool_call_id) {
      throw invalidRequest(
        "A tool message needs the tool_call_id it answers.",
        `messages[${index}].tool_call_id`,
        "missing_required_parameter",
      );
    }
    return { callId: message.tool_call_id, text: messageText(message.content) };
  });
  const history = conversation.slice(0, first).map((entry) => turnMessage(entry.message));
  return { systemPrompt, history, input: { kind: "tool_results", results } };
}

function userBlocks(message: ChatMessage, index: number): ContentBlock[] {
  const content = message.content;
  if (typeof content === "string") return content.length > 0 ? [{ type: "text", text: content }] : [];
  if (!content) return [];
  return content.flatMap((part, partIndex): ContentBlock[] => {
    const param = `messages[${index}].content[${partIndex}]`;
    if (part.type === "text") {
      if (typeof part.text !== "string")
        throw invalidRequest(`Invalid value for '${param}.text': expected a string.`, `${param}.text`);
      return part.text.length > 0 ? [{ type: "text", text: part.text }] : [];
    }
    if (part.type === "image_url") {
      const url = (part as { image_url?: { url?: unknown } | string }).image_url;
      const value = typeof url === "string" ? url : url?.url;
      if (typeof value !== "string" || value.length === 0) {
        throw invalidRequest(
          `Missing required parameter: '${param}.image_url.url'.`,
          `${param}.image_url.url`,
          "missing_required_parameter",
        );
      }
      // Read and checked later (resolve-images.ts): it may need the disk.
      return [{ type: "image_request", url: value, param: `${param}.image_url` }];
    }
    if (part.type === "input_audio" || part.type === "file") {
      throw invalidRequest(
        `Content parts of type '${part.type}' are not supported (text and image_url are).`,
        param,
        "unsupported_content_type",
      );
    }
    throw invalidRequest(`Invalid content part type '${part.type}'.`, `${param}.type`, "invalid_value");
  });
}

export function mapChatMessages(messages: readonly ChatMessage[]): MappedMessages {
  const systemParts: string[] = [];
  const conversation: Array<{ message: ChatMessage; index: number }> = [];
  messages.forEach((message, index) => {
    if (message.role === "system" || message.role === "developer") {
      const text = messageText(message.content);
      if (text.length > 0) systemParts.push(text);
    } else {
      conversation.push({ message, index });
    }
  });

  const last = conversation.at(-1);
  if (!last) throw invalidRequest("'messages' must contain at least one user message.", "messages", "invalid_value");
  const systemPrompt = systemParts.length > 0 ? systemParts.join("\n\n") : undefined;
  if (last.message.role === "tool") return mapToolResults(conversation, systemPrompt);
  if (last.message.role !== "user") {
    const param = `messages[${last.index}].role`;
    throw invalidRequest(
      `The last message must come from the user (got '${last.message.role}'); or be tool results; continuing an assistant message is not supported.`,
      param,
      "invalid_value",
    );
  }

  // The trailing run of user messages is the new input; everything before it is history.
  let firstNew = conversation.length - 1;
  while (firstNew > 0 && conversation[firstNew - 1]?.message.role === "user") firstNew--;
  const newMessages = conversation.slice(firstNew);
  const blocks = newMessages.flatMap((entry) => userBlocks(entry.message, entry.index));
  if (blocks.length === 0) {
    throw invalidRequest("The last user message has no content.", `messages[${last.index}].content`, "invalid_value");
  }
  return {
    systemPrompt,
    history: conversation.slice(0, firstNew).map((entry) => turnMessage(entry.message)),
    input: { kind: "messages", messages: newMessages.map((entry) => turnMessage(entry.message)), blocks },
  };
}
