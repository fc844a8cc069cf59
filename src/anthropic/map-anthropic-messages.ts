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
import { invalidRequest } from "../errors.js";
import type { TurnMessage } from "../turns/turn-message.js";
import type { MappedMessages, ToolResultInput } from "../turns/turn-request.js";
import type { MessageParam, MessagesRequest } from "./messages-request.js";
import { blocksOf, readUserMessage, stringAt, type UserMessageRead } from "./read-user-message.js";

export type { MappedMessages } from "../turns/turn-request.js";

/**
 * A run's tool results, the run's other text and images told with the last one: a waiting turn
 * takes results only (the CLI answers its calls through the client tool server), and dropping what
 * came along (Claude Code's reminders) would lose it.
 */
function runResults(reads: readonly UserMessageRead[]): ToolResultInput[] {
  const results = reads.flatMap((read) => read.results);
  const texts = reads.flatMap((read) => read.texts);
  const last = results.at(-1);
  if (!last || texts.length === 0) return results;
  const images = [...(last.images ?? []), ...reads.flatMap((read) => read.images)];
  const told = { ...last, text: [last.text, ...texts].join("\n"), ...(images.length > 0 ? { images } : {}) };
  return [...results.slice(0, -1), told];
}

/** A run as history entries: its tool results, or each message's text. */
function runHistory(reads: readonly UserMessageRead[]): TurnMessage[] {
  if (reads.some((read) => read.results.length > 0)) {
    return runResults(reads).map(({ callId, text }): TurnMessage => ({ role: "tool", callId, text }));
  }
  return reads.map((read) => ({ role: "user", text: read.texts.join("\n") }));
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

/**
 * The messages in runs: each assistant message alone, consecutive user and system ones together —
 * the CLI takes such a run as one input, so it counts as one wherever it stands.
 */
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
const billingLine = /^x-anthropic-billing-header:[^\n]*\n?/;

function systemPromptOf(system: MessagesRequest["system"]): string | undefined {
  if (system === undefined) return undefined;
  const blocks = typeof system === "string" ? [system] : system.map((block) => block.text);
  // Only the line goes: whatever a block says after it is the client's instruction.
  const text = blocks
    .map((block) => block.replace(billingLine, ""))
    .filter((block) => block.length > 0)
    .join("\n\n");
  return text.length > 0 ? text : undefined;
}

export function mapAnthropicMessages(request: Pick<MessagesRequest, "system" | "messages">): MappedMessages {
  const { messages } = request;
  const systemPrompt = systemPromptOf(request.system);
  const runs = runsOf(messages);
  const last = runs.pop() ?? [];
  if (last[0]?.message.role === "assistant") {
    throw invalidRequest(
      "messages: the last message must come from the user; continuing an assistant message (prefill) is not supported.",
      `messages[${messages.length - 1}].role`,
      "invalid_value",
    );
  }
  const readRun = (run: typeof last) => run.map(({ message, index }) => readUserMessage(message, index));
  const history = runs.flatMap((run) =>
    run[0]?.message.role === "assistant" ? [assistantMessage(run[0].message, run[0].index)] : runHistory(readRun(run)),
  );
  const input = readRun(last);
  if (input.some((read) => read.results.length > 0)) {
    return { systemPrompt, history, input: { kind: "tool_results", results: runResults(input) } };
  }
  const blocks = input.flatMap((read) => read.blocks);
  if (blocks.length === 0) {
    throw invalidRequest(
      "messages: the last user message has no content.",
      `messages[${messages.length - 1}].content`,
      "invalid_value",
    );
  }
  return { systemPrompt, history, input: { kind: "messages", messages: runHistory(input), blocks } };
}
