/**
 * chat.completion and chat.completion.chunk objects. Built with `satisfies` against the `openai`
 * package's types, so drift from the spec fails the type check; the fields the spec requires are
 * always present (`logprobs: null`, `refusal: null`).
 */
import { randomBytes } from "node:crypto";
import type { ChatCompletion, ChatCompletionChunk } from "openai/resources/chat/completions";
import type { CompletionUsage } from "openai/resources/completions";
import type { FinishReason, TokenUsage, ToolCall } from "../turns/turn-event.js";

/** The turn's usage as OpenAI counts it: prompt_tokens include the cached share. */
export function completionUsage(usage: TokenUsage): CompletionUsage {
  return {
    prompt_tokens: usage.input,
    completion_tokens: usage.output,
    total_tokens: usage.input + usage.output,
    prompt_tokens_details: { cached_tokens: usage.cachedInput },
    completion_tokens_details: { reasoning_tokens: usage.reasoning },
  };
}

export interface CompletionIdentity {
  id: string;
  created: number;
  /** The gateway's extension: the conversation this completion belongs to (none with `store: false`). */
  conversationId: string | undefined;
}

/** chat.completion plus the gateway's `conversation_id` (clients ignore unknown fields). */
export type GatewayChatCompletion = ChatCompletion & { conversation_id?: string };
export type GatewayChatCompletionChunk = ChatCompletionChunk & { conversation_id?: string };

function withConversation<T extends object>(
  object: T,
  conversationId: string | undefined,
): T & { conversation_id?: string } {
  return conversationId === undefined ? object : { ...object, conversation_id: conversationId };
}

export function newCompletionIdentity(conversationId: string | undefined): CompletionIdentity {
  return {
    id: `chatcmpl-${randomBytes(12).toString("hex")}`,
    created: Math.floor(Date.now() / 1000),
    conversationId,
  };
}

export function buildChatCompletion(
  identity: CompletionIdentity,
  output: {
    model: string;
    content: string;
    refusal: string | null;
    finishReason: FinishReason;
    usage: TokenUsage;
    toolCalls?: ToolCall[];
    /** The model's thinking, as `message.reasoning_content` (the common extension). */
    reasoning?: string;
  },
): GatewayChatCompletion {
  const toolCalls = output.toolCalls?.map((call) => ({
    id: call.id,
    type: "function" as const,
    function: { name: call.name, arguments: call.arguments },
  }));
  const completion = {
    id: identity.id,
    object: "chat.completion",
    created: identity.created,
    model: output.model,
    choices: [
      {
        index: 0,
        message: {
          role: "assistant",
          // With tool calls and no text, OpenAI sends null content.
          content: toolCalls?.length && output.content === "" ? null : output.content,
          refusal: output.refusal,
          ...(toolCalls?.length ? { tool_calls: toolCalls } : {}),
        },
        logprobs: null,
        finish_reason: output.finishReason,
      },
    ],
    usage: completionUsage(output.usage),
  } satisfies ChatCompletion;
  if (output.reasoning) {
    const message = completion.choices[0]?.message as unknown as Record<string, unknown>;
    message.reasoning_content = output.reasoning;
  }
  return withConversation(completion, identity.conversationId);
}

/**
 * Builds the chunks of one streamed completion; every chunk shares the id, created and model.
 * With include_usage, OpenAI sends `usage: null` on every chunk but the last, which has the usage.
 */
export class ChunkBuilder {
  constructor(
    private readonly identity: CompletionIdentity,
    private model: string,
    private readonly includeUsage: boolean,
  ) {}

  setModel(model: string): void {
    this.model = model;
  }

  private chunk(choices: ChatCompletionChunk["choices"], usage?: CompletionUsage | null): GatewayChatCompletionChunk {
    const chunk = {
      id: this.identity.id,
      object: "chat.completion.chunk",
      created: this.identity.created,
      model: this.model,
      choices,
      ...(this.includeUsage ? { usage: usage ?? null } : {}),
    } satisfies ChatCompletionChunk;
    return withConversation(chunk, this.identity.conversationId);
  }

  /** The first chunk: the assistant role, empty content. */
  role(): GatewayChatCompletionChunk {
    return this.chunk([
      { index: 0, delta: { role: "assistant", content: "", refusal: null }, logprobs: null, finish_reason: null },
    ]);
  }

  content(text: string): GatewayChatCompletionChunk {
    return this.chunk([{ index: 0, delta: { content: text }, logprobs: null, finish_reason: null }]);
  }

  refusal(text: string): GatewayChatCompletionChunk {
    return this.chunk([{ index: 0, delta: { refusal: text }, logprobs: null, finish_reason: null }]);
  }

  /** Thinking, as `delta.reasoning_content` (the extension DeepSeek, vLLM and others use). */
  reasoning(text: string): GatewayChatCompletionChunk {
    const chunk = this.chunk([{ index: 0, delta: {}, logprobs: null, finish_reason: null }]);
    (chunk.choices[0]?.delta as Record<string, unknown>).reasoning_content = text;
    return chunk;
  }

  /** A tool call begins: its id, name and empty arguments. */
  toolCall(index: number, id: string, name: string): GatewayChatCompletionChunk {
    return this.chunk([
      {
        index: 0,
        delta: { tool_calls: [{ index, id, type: "function", function: { name, arguments: "" } }] },
        logprobs: null,
        finish_reason: null,
      },
    ]);
  }

  toolCallArguments(index: number, fragment: string): GatewayChatCompletionChunk {
    return this.chunk([
      {
        index: 0,
        delta: { tool_calls: [{ index, function: { arguments: fragment } }] },
        logprobs: null,
        finish_reason: null,
      },
    ]);
  }

  finish(finishReason: FinishReason): GatewayChatCompletionChunk {
    return this.chunk([{ index: 0, delta: {}, logprobs: null, finish_reason: finishReason }]);
  }

  /** With stream_options.include_usage: a last chunk with no choices and the turn's usage. */
  usage(usage: TokenUsage): GatewayChatCompletionChunk {
    return this.chunk([], completionUsage(usage));
  }
}
