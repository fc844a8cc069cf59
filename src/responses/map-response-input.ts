/**
 * The Responses API's `instructions` and `input` → what one turn needs, in the engine's terms: the
 * system prompt, the earlier messages, and the input — the trailing run of user messages, or the
 * trailing `function_call_output` items for a turn waiting on them.
 *
 * Items become the same TurnMessages as the equivalent Chat Completions messages, text computed as
 * chat's `messageText` does (parts joined by a newline, images marked by `imageMarker`), so a
 * conversation started in one dialect is recognised when continued in the other:
 *   - `instructions`, then `system` and `developer` messages, join into the system prompt;
 *   - a run of assistant `message` and `function_call` items is ONE assistant message with tool
 *     calls, as chat has it; their texts join with nothing between, because it is one answer our
 *     own output split into items around its reasoning (the text carries its own blank lines);
 *   - `reasoning` items are skipped: thinking does not count for history (chat's
 *     reasoning_content does not either), and the CLI session keeps its own;
 *   - `item_reference` is refused: the gateway keeps no items to look up by id.
 */
import type { ContentBlock } from "../claude/protocol.js";
import { invalidRequest } from "../errors.js";
import type { ToolCall } from "../turns/turn-event.js";
import { imageMarker, type TurnMessage } from "../turns/turn-message.js";
import type { MappedMessages } from "../turns/turn-request.js";
import { qualifiedFunctionName } from "./namespaced-functions.js";
import type { ResponseInputItem, ResponsesRequest } from "./responses-request.js";

type Item = ResponseInputItem & Record<string, unknown>;
type Part = { type?: unknown } & Record<string, unknown>;

/** A conversation message taking shape; `param` names its last item, for errors. */
type UserEntry = { role: "user"; content: unknown; text: string; param: string };
type AssistantEntry = { role: "assistant"; text: string; toolCalls: ToolCall[]; param: string };
type ToolEntry = {
  role: "tool";
  callId: string;
  text: string;
  images: Array<{ url: string; param: string }>;
  param: string;
};
type Entry = UserEntry | AssistantEntry | ToolEntry;

const roles = new Set(["user", "assistant", "system", "developer"]);

function missing(param: string) {
  return invalidRequest(`Missing required parameter: '${param}'.`, param, "missing_required_parameter");
}

function expectString(value: unknown, param: string): string {
  if (typeof value === "string") return value;
  if (value === undefined || value === null) throw missing(param);
  throw invalidRequest(`Invalid value for '${param}': expected a string.`, param, "invalid_value");
}

function contentParts(content: unknown, param: string): Part[] {
  if (!Array.isArray(content)) {
    if (content === undefined || content === null) throw missing(param);
    throw invalidRequest(`Invalid value for '${param}': expected a string or an array of parts.`, param);
  }
  content.forEach((part, index) => {
    if (typeof part !== "object" || part === null || Array.isArray(part)) {
      throw invalidRequest(
        `Invalid value for '${param}[${index}]': expected a content part object.`,
        `${param}[${index}]`,
      );
    }
  });
  return content as Part[];
}

function imageUrl(part: Part, param: string): string {
  if (typeof part.image_url === "string" && part.image_url.length > 0) return part.image_url;
  if (typeof part.file_id === "string") {
    throw invalidRequest(
      "Images by file_id are not supported (the gateway has no Files API); send the image as a data: or https: URL in image_url.",
      `${param}.file_id`,
      "unsupported_content_type",
    );
  }
  throw missing(`${param}.image_url`);
}

/** A part as text: text as it is, a refusal's words, an image marked (chat's messageText). */
function partText(part: Part, param: string): string {
  switch (part.type) {
    case "input_text":
    case "output_text":
      return expectString(part.text, `${param}.text`);
    case "refusal":
      return expectString(part.refusal, `${param}.refusal`);
    case "input_image":
      return imageMarker(imageUrl(part, param));
    case "input_file":
      throw invalidRequest(
        "Content parts of type 'input_file' are not supported (input_text and input_image are).",
        param,
        "unsupported_content_type",
      );
    default:
      throw invalidRequest(`Invalid content part type '${String(part.type)}'.`, `${param}.type`, "invalid_value");
  }
}

function contentText(content: unknown, param: string): string {
  if (typeof content === "string") return content;
  return contentParts(content, param)
    .map((part, index) => partText(part, `${param}[${index}]`))
    .join("\n");
}

/** A function output's base64 images: the model gets them as images (a URL one by its marker only). */
function outputImages(output: unknown, param: string): Array<{ url: string; param: string }> {
  if (typeof output === "string") return [];
  return contentParts(output, param).flatMap((part, index) => {
    if (part.type !== "input_image") return [];
    const partParam = `${param}[${index}]`;
    const url = imageUrl(part, partParam);
    return url.startsWith("data:") ? [{ url, param: `${partParam}.image_url` }] : [];
  });
}

/** A user message's content as the CLI reads it (images resolved later, by resolve-images.ts). */
function userBlocks(content: unknown, param: string): ContentBlock[] {
  if (typeof content === "string") return content.length > 0 ? [{ type: "text", text: content }] : [];
  return contentParts(content, param).flatMap((part, index): ContentBlock[] => {
    const partParam = `${param}[${index}]`;
    if (part.type === "input_image") {
      return [{ type: "image_request", url: imageUrl(part, partParam), param: `${partParam}.image_url` }];
    }
    const text = partText(part, partParam);
    return text.length > 0 ? [{ type: "text", text }] : [];
  });
}

function functionCall(item: Item, param: string): ToolCall {
  const namespace = item.namespace ?? undefined;
  return {
    id: expectString(item.call_id, `${param}.call_id`),
    name: qualifiedFunctionName(
      namespace === undefined ? undefined : expectString(namespace, `${param}.namespace`),
      expectString(item.name, `${param}.name`),
    ),
    arguments: expectString(item.arguments, `${param}.arguments`),
  };
}

/** The input items in order, system text apart, assistant runs merged. */
function collect(items: readonly Item[]): { systemParts: string[]; entries: Entry[] } {
  const systemParts: string[] = [];
  const entries: Entry[] = [];
  const assistant = (param: string): AssistantEntry => {
    const last = entries.at(-1);
    if (last?.role === "assistant") {
      last.param = param;
      return last;
    }
    const entry: AssistantEntry = { role: "assistant", text: "", toolCalls: [], param };
    entries.push(entry);
    return entry;
  };
  items.forEach((item, index) => {
    const param = `input[${index}]`;
    const type = item.type ?? (item.role !== undefined ? "message" : item.id !== undefined ? "item_reference" : null);
    switch (type) {
      case "message": {
        if (typeof item.role !== "string" || !roles.has(item.role)) {
          if (item.role === undefined) throw missing(`${param}.role`);
          throw invalidRequest(`Invalid value for '${param}.role': '${String(item.role)}'.`, `${param}.role`);
        }
        if (item.role === "system" || item.role === "developer") {
          const text = contentText(item.content, `${param}.content`);
          if (text.length > 0) systemParts.push(text);
        } else if (item.role === "assistant") {
          assistant(`${param}.role`).text += contentText(item.content, `${param}.content`);
        } else {
          const text = contentText(item.content, `${param}.content`);
          entries.push({ role: "user", content: item.content, text, param: `${param}.content` });
        }
        return;
      }
      case "function_call":
        assistant(`${param}.type`).toolCalls.push(functionCall(item, param));
        return;
      case "function_call_output":
        entries.push({
          role: "tool",
          callId: expectString(item.call_id, `${param}.call_id`),
          // Text, or parts (input_text, input_image) read as chat reads a tool message's parts.
          text: contentText(item.output, `${param}.output`),
          images: outputImages(item.output, `${param}.output`),
          param,
        });
        return;
      case "reasoning":
        return;
      case "item_reference":
        throw invalidRequest(
          "Item references are not supported: send the items themselves (the gateway keeps no items by id).",
          param,
          "unsupported_item_type",
        );
      case null:
        throw missing(`${param}.type`);
      default:
        throw invalidRequest(
          `Input items of type '${type}' are not supported (message, function_call, function_call_output and reasoning are).`,
          `${param}.type`,
          "unsupported_item_type",
        );
    }
  });
  return { systemParts, entries };
}

function turnMessage(entry: Entry): TurnMessage {
  if (entry.role === "tool") return { role: "tool", callId: entry.callId, text: entry.text };
  if (entry.role === "user") return { role: "user", text: entry.text };
  return { role: "assistant", text: entry.text, ...(entry.toolCalls.length > 0 ? { toolCalls: entry.toolCalls } : {}) };
}

export function mapResponseInput(request: ResponsesRequest): MappedMessages {
  const input = request.input;
  if (input === undefined) throw missing("input");
  const items: Item[] = typeof input === "string" ? [{ type: "message", role: "user", content: input }] : input;
  const { systemParts, entries } = collect(items);
  if (typeof input === "string") for (const entry of entries) entry.param = "input";
  if (request.instructions) systemParts.unshift(request.instructions);
  const systemPrompt = systemParts.length > 0 ? systemParts.join("\n\n") : undefined;

  const last = entries.at(-1);
  if (!last) throw invalidRequest("'input' must contain at least one user message.", "input", "invalid_value");
  const trailing = <Of extends Entry>(is: (entry: Entry) => entry is Of) => {
    let first = entries.length;
    while (first > 0 && is(entries[first - 1] as Entry)) first--;
    return { history: entries.slice(0, first).map(turnMessage), run: entries.slice(first) as Of[] };
  };
  if (last.role === "tool") {
    const { history, run } = trailing((entry): entry is ToolEntry => entry.role === "tool");
    const results = run.map(({ callId, text, images }) => ({ callId, text, ...(images.length > 0 ? { images } : {}) }));
    return { systemPrompt, history, input: { kind: "tool_results", results } };
  }
  if (last.role === "assistant") {
    throw invalidRequest(
      "The last input item must be a user message or function call outputs; continuing an assistant message is not supported.",
      last.param,
      "invalid_value",
    );
  }
  // The trailing run of user messages is the new input; everything before it is history.
  const { history, run } = trailing((entry): entry is UserEntry => entry.role === "user");
  const blocks = run.flatMap((entry) => userBlocks(entry.content, entry.param));
  if (blocks.length === 0) throw invalidRequest("The last user message has no content.", last.param, "invalid_value");
  return { systemPrompt, history, input: { kind: "messages", messages: run.map(turnMessage), blocks } };
}
