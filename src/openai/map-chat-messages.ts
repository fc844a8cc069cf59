/**
 * OpenAI `messages` → what one Claude turn needs: the system prompt (fixed per process, so part of
 * the launch profile), the earlier messages (a known conversation's history, or text to replay),
 * and the new user input — the trailing run of user messages.
 */
import type { ContentBlock } from "../claude/protocol.js";
import type { HistoryEntry } from "../conversations/history-digest.js";
import { invalidRequest } from "../errors.js";
import type { ChatMessage } from "./chat-completion-request.js";
import { toolCallsEntry, toolResultEntry } from "./client-tools.js";
import { messageText, renderHistory } from "./render-history.js";

export interface MappedMessages {
  systemPrompt: string | undefined;
  /** The messages before the new input, system ones excluded. */
  earlier: ChatMessage[];
  /** `earlier` in the form conversations are recognised by. */
  earlierEntries: HistoryEntry[];
  /** The new user messages in that form. */
  newEntries: HistoryEntry[];
  /** The new user messages as the CLI's content blocks. */
  newBlocks: ContentBlock[];
  /**
   * Set when the messages end with `tool` results instead of a user message: they answer the
   * tool calls of a turn that is waiting for them (the new entries are then these results).
   */
  toolResults?: Array<{ toolCallId: string; text: string }>;
}

/** A message as it counts for continuity: role and text, whitespace at the ends ignored. */
export function historyEntry(message: ChatMessage): HistoryEntry {
  if (message.role === "tool") return toolResultEntry(message.tool_call_id ?? "", messageText(message.content));
  if (message.role === "assistant" && message.tool_calls?.length) {
    const calls = message.tool_calls.map((call) => ({
      id: call.id ?? "",
      name: call.function?.name ?? "",
      arguments: call.function?.arguments ?? "",
    }));
    return toolCallsEntry(messageText(message.content), calls);
  }
  return { role: message.role, text: messageText(message.content).trim() };
}

function mapToolResults(
  conversation: Array<{ message: ChatMessage; index: number }>,
  systemPrompt: string | undefined,
): MappedMessages {
  let first = conversation.length;
  while (first > 0 && conversation[first - 1]?.message.role === "tool") first--;
  const results = conversation.slice(first);
  const earlier = conversation.slice(0, first).map((entry) => entry.message);
  const toolResults = results.map(({ message, index }) => {
    if (!message.tool_call_id) {
      throw invalidRequest(
        "A tool message needs the tool_call_id it answers.",
        `messages[${index}].tool_call_id`,
        "missing_required_parameter",
      );
    }
    return { toolCallId: message.tool_call_id, text: messageText(message.content) };
  });
  return {
    systemPrompt,
    earlier,
    earlierEntries: earlier.map(historyEntry),
    newEntries: results.map((entry) => historyEntry(entry.message)),
    newBlocks: [],
    toolResults,
  };
}

/**
 * The content of a turn: the new input, preceded — when the conversation is not continued in its
 * CLI session — by the earlier messages rendered as text (the newest `maxMessages` of them).
 */
export function composeTurnContent(
  replay: readonly ChatMessage[],
  newBlocks: readonly ContentBlock[],
  maxMessages: number,
): ContentBlock[] {
  const kept = replay.slice(-maxMessages);
  const omitted = replay.length - kept.length;
  if (kept.length === 0) return [...newBlocks];
  const note = omitted > 0 ? `[${omitted} earlier messages omitted]\n\n` : "";
  return [{ type: "text", text: note + renderHistory(kept) }, ...newBlocks];
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
  const earlier = conversation.slice(0, firstNew).map((entry) => entry.message);
  const newMessages = conversation.slice(firstNew);
  const newBlocks = newMessages.flatMap((entry) => userBlocks(entry.message, entry.index));
  if (newBlocks.length === 0) {
    throw invalidRequest("The last user message has no content.", `messages[${last.index}].content`, "invalid_value");
  }
  return {
    systemPrompt,
    earlier,
    earlierEntries: earlier.map(historyEntry),
    newEntries: newMessages.map((entry) => historyEntry(entry.message)),
    newBlocks,
  };
}
