/**
 * Messages API `system` and `messages` → what one turn needs, in the engine's terms: the system
 * prompt, the earlier messages, and the input — the trailing run of user messages, or the tool
 * results in it when the turn before them waits for those.
 *
 * Anthropic messages carry blocks where the engine has text: a user message's blocks read as text
 * joined by newlines (images marked), an assistant's text blocks joined as they were streamed and
 * its `tool_use` blocks as tool calls; thinking is never history (the CLI session has its own).
 * Text that comes with tool results (Claude Code adds reminders there) is told with the last
 * result: the CLI takes results alone. A `system` message inside `messages` is context at that
 * point of the conversation, as Claude Code tells the model its own: a `<system-reminder>` block.
 * The same mapping serves the history and the input, so a conversation is recognised when its
 * client sends it again.
 */
import type { ContentBlock } from "../claude/protocol.js";
import { invalidRequest } from "../errors.js";
import { imageMarker, type TurnMessage } from "../turns/turn-message.js";
import type { MappedMessages, ToolResultInput } from "../turns/turn-request.js";
import type { ContentBlockParam, MessageParam, MessagesRequest } from "./messages-request.js";

export type { MappedMessages } from "../turns/turn-request.js";

type ToolResult = ToolResultInput;

/** The blocks of a message, whatever form its content came in. */
function blocksOf(message: MessageParam): ContentBlockParam[] {
  return typeof message.content === "string" ? [{ type: "text", text: message.content }] : message.content;
}

function stringAt(block: ContentBlockParam, field: string, param: string): string {
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
function toolResultOf(block: ContentBlockParam, param: string): Pick<ToolResult, "text" | "images"> {
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

interface UserSide {
  /** What the CLI reads (images unresolved). */
  blocks: ContentBlock[];
  /** The same as text, for the record. */
  texts: string[];
  results: ToolResult[];
}

/** A user or system message's blocks, split into what the CLI reads and the tool results. */
function userSide(message: MessageParam, index: number): UserSide {
  const side: UserSide = { blocks: [], texts: [], results: [] };
  blocksOf(message).forEach((block, blockIndex) => {
    const param = `messages[${index}].content[${blockIndex}]`;
    if (block.type === "text") {
      const raw = stringAt(block, "text", param);
      const text = message.role === "system" ? systemReminder(raw) : raw;
      if (raw.length === 0) return;
      side.blocks.push({ type: "text", text });
      side.texts.push(text);
    } else if (block.type === "image" && message.role === "user") {
      const url = imageUrl(block, param);
      // Read and checked later (resolve-images.ts): it may need the disk.
      side.blocks.push({ type: "image_request", url, param });
      side.texts.push(imageMarker(url));
    } else if (block.type === "tool_result" && message.role === "user") {
      const callId = stringAt(block, "tool_use_id", param);
      const isError = (block as { is_error?: unknown }).is_error === true;
      side.results.push({ callId, ...toolResultOf(block, param), ...(isError ? { isError } : {}) });
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
  return side;
}

/** Results with the message's other text (and images) told after the last one. */
function resultsWithText(side: UserSide): ToolResult[] {
  if (side.texts.length === 0) return side.results;
  const results = side.results.slice(0, -1);
  const last = side.results.at(-1) as ToolResult;
  // The message's own base64 images go with the last result too.
  const images = [
    ...(last.images ?? []),
    ...side.blocks.flatMap((block) =>
      block.type === "image_request" && String(block.url).startsWith("data:")
        ? [{ url: String(block.url), param: String(block.param) }]
        : [],
    ),
  ];
  results.push({ ...last, text: [last.text, ...side.texts].join("\n"), ...(images.length > 0 ? { images } : {}) });
  return results;
}

/** An assistant message as the engine records answers: its text, and its calls of client tools. */
function assistantMessage(message: MessageParam, index: number): TurnMessage {
  let text = "";
  const toolCalls: Array<{ id: string; name: string; arguments: string }> = [];
  blocksOf(message).forEach((block, blockIndex) => {
    const param = `messages[${index}].content[${blockIndex}]`;
    if (block.type === "text") text += stringAt(block, "text", param);
    else if (block.type === "tool_use") {
      const input = (block as { input?: unknown }).input ?? {};
      toolCalls.push({
        id: stringAt(block, "id", param),
        name: stringAt(block, "name", param),
        arguments: JSON.stringify(input),
      });
    }
    // thinking, redacted_thinking and server tool blocks: the model's own, not the conversation's text.
  });
  return { role: "assistant", text, ...(toolCalls.length > 0 ? { toolCalls } : {}) };
}

/** A run of user (and system) messages, read as one: the CLI takes them as one input. */
function userRun(run: ReadonlyArray<{ message: MessageParam; index: number }>): UserSide {
  const sides = run.map(({ message, index }) => userSide(message, index));
  return {
    blocks: sides.flatMap((side) => side.blocks),
    texts: sides.flatMap((side) => side.texts),
    results: sides.flatMap((side) => side.results),
  };
}

/** A run as history entries: its tool results, or its messages' text. */
function userRunMessages(run: ReadonlyArray<{ message: MessageParam; index: number }>): TurnMessage[] {
  const side = userRun(run);
  if (side.results.length > 0) {
    return resultsWithText(side).map(({ callId, text }): TurnMessage => ({ role: "tool", callId, text }));
  }
  return run.map(({ message, index }) => ({ role: "user", text: userSide(message, index).texts.join("\n") }));
}

/** The messages in runs: each assistant message alone, consecutive others together. */
function runsOf(messages: readonly MessageParam[]): Array<Array<{ message: MessageParam; index: number }>> {
  const runs: Array<Array<{ message: MessageParam; index: number }>> = [];
  messages.forEach((message, index) => {
    const last = runs.at(-1);
    const joins = last && message.role !== "assistant" && last[0]?.message.role !== "assistant";
    if (joins) last.push({ message, index });
    else runs.push([{ message, index }]);
  });
  return runs;
}

/**
 * Claude Code's first system block is a billing line for Anthropic's API
 * (`x-anthropic-billing-header: cc_version=2.1.197.<suffix>; …`) whose suffix changes with each
 * conversation's first prompt (measured). It is no instruction, and the system prompt is a
 * process's launch profile: kept, every Claude Code conversation would get a cold process of its own.
 */
const billingLine = /^x-anthropic-billing-header:/;

function systemPromptOf(system: MessagesRequest["system"]): string | undefined {
  if (system === undefined) return undefined;
  const blocks = typeof system === "string" ? [system] : system.map((block) => block.text);
  const text = blocks.filter((block) => !billingLine.test(block)).join("\n\n");
  return text.length > 0 ? text : undefined;
}

export function mapAnthropicMessages(request: Pick<MessagesRequest, "system" | "messages">): MappedMessages {
  const { messages } = request;
  const systemPrompt = systemPromptOf(request.system);
  if (messages.length === 0) {
    throw invalidRequest("messages: at least one message is required.", "messages", "invalid_value");
  }
  const runs = runsOf(messages);
  const last = runs.pop() ?? [];
  if (last[0]?.message.role === "assistant") {
    throw invalidRequest(
      "messages: the last message must come from the user; continuing an assistant message (prefill) is not supported.",
      `messages[${messages.length - 1}].role`,
      "invalid_value",
    );
  }
  const history = runs.flatMap((run) =>
    run[0]?.message.role === "assistant" ? [assistantMessage(run[0].message, run[0].index)] : userRunMessages(run),
  );
  const input = userRun(last);
  if (input.results.length > 0) {
    return { systemPrompt, history, input: { kind: "tool_results", results: resultsWithText(input) } };
  }
  if (input.blocks.length === 0) {
    throw invalidRequest(
      "messages: the last user message has no content.",
      `messages[${messages.length - 1}].content`,
      "invalid_value",
    );
  }
  return { systemPrompt, history, input: { kind: "messages", messages: userRunMessages(last), blocks: input.blocks } };
}
