/**
 * What a turn produces, in no dialect: the one event stream every HTTP dialect renders (Chat
 * Completions chunks, Responses events) and every observer folds (the answer so far, the
 * conversation record, the cache, metrics).
 */
import type { FinishReason } from "./finish-reason.js";
import type { TokenUsage } from "./token-usage.js";

/** A call of one of the client's functions, as the model made it. */
export interface ToolCall {
  id: string;
  name: string;
  /** The arguments as the JSON text the model wrote. */
  arguments: string;
}

export type TurnEvent =
  /** `usage`: the first API message's input as its start reported it (absent for a kept answer). */
  | { type: "started"; model: string; usage?: TokenUsage }
  | { type: "text"; text: string }
  | { type: "refusal"; text: string }
  /** The model's thinking, streamed. */
  | { type: "reasoning"; text: string }
  /** The upstream's signature of the thinking so far (Anthropic clients send thinking back with it). */
  | { type: "reasoning_signature"; signature: string }
  /** `discarded` (the tail of the text so far) is superseded by `text`. */
  | { type: "replace"; discarded: string; text: string }
  /** The model calls a client function (`index` counts the calls of this answer). */
  | { type: "tool_call"; index: number; id: string; name: string }
  | { type: "tool_call_arguments"; index: number; fragment: string }
  /** The answer ends with tool calls; the turn waits for the client's results. */
  | { type: "paused"; model: string; usage: TokenUsage }
  /**
   * `sessionId`: the CLI session the turn ran in (a conversation resumes it later);
   * `lastMessageId`: the API message id of its last answer, which the session transcript holds
   *  once the CLI has flushed it (stdout uuids are not the transcript's when there is thinking).
   */
  | {
      type: "finished";
      finishReason: FinishReason;
      usage: TokenUsage;
      model: string;
      sessionId: string;
      lastMessageId: string | undefined;
      /** The turn's cost in USD as the CLI reckons it. */
      costUsd: number;
    };

export type FinishedEvent = Extract<TurnEvent, { type: "finished" }>;
export type { FinishReason } from "./finish-reason.js";
export type { TokenUsage } from "./token-usage.js";
