/**
 * One Anthropic message's blocks read the way the engine takes them: a user or system message as
 * what the CLI reads (text, images to resolve) and as text for the record, its tool results, and
 * the helpers every block reader needs. A `system` message's text is context at that point of the
 * conversation, told as Claude Code tells the model its own: a `<system-reminder>` block.
 */
import type { ContentBlock } from "../claude/protocol.js";
import { invalidRequest } from "../errors.js";
import { imageMarker } from "../turns/turn-message.js";
import type { ToolResultInput } from "../turns/turn-request.js";
import type { ContentBlockParam, MessageParam } from "./messages-request.js";

/** The blocks of a message, whatever form its content came in. */
export function blocksOf(message: MessageParam): ContentBlockParam[] {
  return typeof message.content === "string" ? [{ type: "text", text: message.content }] : message.content;
}

export function stringAt(block: ContentBlockParam, field: string, param: string): string {
  const value = (block as Record<string, unknown>)[field];
  if (typeof value !== "string") {
    throw invalidRequest(`${param}.${field}: Input should be a valid string.`, `${param}.${field}`, "invalid_value");
  }
  return value;
}

/** An image block's source as the URL the engine resolves (data: for base64). */
function imageUrl(block: ContentBlockParam, param: string): string {
  const source = (block as { source?: { type?: unknown; media_type?: unknown; data?: unknown; url?: unknown } }).source;
  if (source?.type === "base64" && typeof source.data === "string" && typeof source.media_type === "string") {
    return `data:${source.media_type};base64,${source.data}`;
  }
  if (source?.type === "url" && typeof source.url === "string" && source.url.length > 0) return source.url;
  throw invalidRequest(
    `${param}.source: an image source must be {type: "base64", media_type, data} or {type: "url", url}.`,
    `${param}.source`,
    "invalid_value",
  );
}

function systemReminder(text: string): string {
  return `<system-reminder>\n${text}\n</system-reminder>`;
}

/**
 * A tool_result's content: its text (images marked, as in the record; other blocks named) and its
 * base64 images, which reach the model as images (engine); a URL image is told by its marker only
 * (see ToolResultInput).
 */
function toolResultOf(block: ContentBlockParam, param: string): Pick<ToolResultInput, "text" | "images"> {
  const content = (block as { content?: unknown }).content;
  if (content === undefined || content === null) return { text: "" };
  if (typeof content === "string") return { text: content };
  if (!Array.isArray(content)) {
    throw invalidRequest(`${param}.content: expected a string or a list of blocks.`, `${param}.content`);
  }
  const images: Array<{ url: string; param: string }> = [];
  const text = content
    .map((part: { type?: unknown; text?: unknown }, index) => {
      const partParam = `${param}.content[${index}]`;
      if (part?.type === "text" && typeof part.text === "string") return part.text;
      if (part?.type === "image") {
        const url = imageUrl(part as ContentBlockParam, partParam);
        if (url.startsWith("data:")) images.push({ url, param: partParam });
        return imageMarker(url);
      }
      // A tool's own output (Claude Code's Read gives a PDF as a document block): refusing it would
      // refuse the conversation for good, since its client resends it; the model is told it was there.
      if (typeof part?.type === "string") return `[${part.type} omitted]`;
      throw invalidRequest(`${partParam}.type: a content block needs a type.`, `${partParam}.type`, "invalid_value");
    })
    .join("\n");
  return images.length > 0 ? { text, images } : { text };
}

/** What one user (or system) message says. */
export interface UserMessageRead {
  /** As the CLI reads it (images unresolved). */
  blocks: ContentBlock[];
  /** As text, for the record: its text blocks, images marked. */
  texts: string[];
  /** Its base64 images, should they go with a tool result. */
  images: ImageRef[];
  results: ToolResultInput[];
}

type ImageRef = { url: string; param: string };

export function readUserMessage(message: MessageParam, index: number): UserMessageRead {
  const read: UserMessageRead = { blocks: [], texts: [], images: [], results: [] };
  blocksOf(message).forEach((block, blockIndex) => {
    const param = `messages[${index}].content[${blockIndex}]`;
    if (block.type === "text") {
      const raw = stringAt(block, "text", param);
      if (raw.length === 0) return;
      const text = message.role === "system" ? systemReminder(raw) : raw;
      read.blocks.push({ type: "text", text });
      read.texts.push(text);
    } else if (block.type === "image" && message.role === "user") {
      const url = imageUrl(block, param);
      // Read and checked later (resolve-images.ts): it may need the disk.
      read.blocks.push({ type: "image_request", url, param });
      read.texts.push(imageMarker(url));
      if (url.startsWith("data:")) read.images.push({ url, param });
    } else if (block.type === "tool_result" && message.role === "user") {
      const callId = stringAt(block, "tool_use_id", param);
      const isError = (block as { is_error?: unknown }).is_error === true;
      read.results.push({ callId, ...toolResultOf(block, param), ...(isError ? { isError } : {}) });
    } else if (block.type === "document" || block.type === "search_result" || block.type === "container_upload") {
      throw invalidRequest(
        `${param}.type: content blocks of type '${block.type}' are not supported (text, image and tool_result are).`,
        `${param}.type`,
        "unsupported_content_type",
      );
    } else {
      throw invalidRequest(
        `${param}.type: unexpected block type '${block.type}' in a ${message.role} message.`,
        `${param}.type`,
        "invalid_value",
      );
    }
  });
  return read;
}
