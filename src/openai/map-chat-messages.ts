/**
 * OpenAI `messages` → what one Claude turn needs: the system prompt (fixed per process, so part of
 * the launch profile), and the user content to write (earlier turns rendered ahead of the new
 * message).
 */
import type { ContentBlock } from "../claude/protocol.js";
import { invalidRequest } from "../errors.js";
import type { ChatMessage } from "./chat-completion-request.js";
import { messageText, renderHistory } from "./render-history.js";

export interface MappedMessages {
  systemPrompt: string | undefined;
  content: ContentBlock[];
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
    if (part.type === "image_url" || part.type === "input_audio" || part.type === "file") {
      throw invalidRequest(
        `Content parts of type '${part.type}' are not supported yet.`,
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
  if (last.message.role !== "user") {
    const param = `messages[${last.index}].role`;
    throw invalidRequest(
      `The last message must come from the user (got '${last.message.role}'); continuing an assistant or tool message is not supported.`,
      param,
      "invalid_value",
    );
  }

  // The trailing run of user messages is the new input; everything before it is history.
  let firstNew = conversation.length - 1;
  while (firstNew > 0 && conversation[firstNew - 1]?.message.role === "user") firstNew--;
  const history = conversation.slice(0, firstNew).map((entry) => entry.message);
  const newBlocks = conversation.slice(firstNew).flatMap((entry) => userBlocks(entry.message, entry.index));
  if (newBlocks.length === 0) {
    throw invalidRequest("The last user message has no content.", `messages[${last.index}].content`, "invalid_value");
  }

  const content: ContentBlock[] = history.length > 0 ? [{ type: "text", text: renderHistory(history) }] : [];
  content.push(...newBlocks);
  return { systemPrompt: systemParts.length > 0 ? systemParts.join("\n\n") : undefined, content };
}
