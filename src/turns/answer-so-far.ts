/**
 * The answer a turn's events add up to so far. The one owner of how text, replacements, refusals,
 * reasoning and tool calls accumulate, for everyone who watches a turn go by (the non-streaming
 * answer, the answer cache, the conversation record, the pause for client tools).
 */
import type { FinishReason } from "./finish-reason.js";
import type { TokenUsage } from "./token-usage.js";
import type { ToolCall, TurnEvent } from "./turn-event.js";

export class AnswerSoFar {
  content = "";
  refusal: string | null = null;
  reasoning = "";
  /** The upstream's signature of the thinking (the last one given). */
  reasoningSignature = "";
  /** Indexed by the events' `index`, in the order the model called them. */
  readonly toolCalls: ToolCall[] = [];

  /** Adds the event's share of the answer; events that carry none are ignored. */
  add(event: TurnEvent): void {
    switch (event.type) {
      case "text":
        this.content += event.text;
        break;
      case "replace":
        this.content = this.content.slice(0, this.content.length - event.discarded.length) + event.text;
        break;
      case "refusal":
        this.refusal = event.text;
        break;
      case "reasoning":
        this.reasoning += event.text;
        break;
      case "reasoning_signature":
        this.reasoningSignature = event.signature;
        break;
      case "tool_call":
        this.toolCalls[event.index] = { id: event.id, name: event.name, arguments: "" };
        break;
      case "tool_call_arguments": {
        const call = this.toolCalls[event.index];
        if (call) call.arguments += event.fragment;
        break;
      }
    }
  }
}

/** A finished answer as it is kept (the answer cache) and told again (in any dialect). */
export interface KeptAnswer {
  model: string;
  content: string;
  refusal: string | null;
  reasoning: string;
  /** The upstream's signature of the reasoning ("" when there was none). */
  reasoningSignature?: string;
  finishReason: FinishReason;
  usage: TokenUsage;
  /** When it was first given (unix seconds). */
  created: number;
}

/**
 * What a finished answer keeps: the answer so far and how it finished. It goes through JSON on its
 * way to a shared cache (Redis), so only what JSON keeps exactly belongs here
 * (kept-answer-json.test.ts).
 */
export function keptAnswerOf(
  answer: AnswerSoFar,
  finished: Pick<KeptAnswer, "model" | "finishReason" | "usage">,
  created = Math.floor(Date.now() / 1000),
): KeptAnswer {
  const { content, refusal, reasoning, reasoningSignature } = answer;
  const { model, finishReason, usage } = finished;
  return { model, content, refusal, reasoning, reasoningSignature, finishReason, usage, created };
}

/** The events of a kept answer, as a turn would have produced them (its text in one piece). */
export function* keptAnswerEvents(answer: KeptAnswer): Generator<TurnEvent> {
  yield { type: "started", model: answer.model };
  if (answer.reasoning) yield { type: "reasoning", text: answer.reasoning };
  if (answer.reasoningSignature) yield { type: "reasoning_signature", signature: answer.reasoningSignature };
  if (answer.content) yield { type: "text", text: answer.content };
  if (answer.refusal) yield { type: "refusal", text: answer.refusal };
  const { model, finishReason, usage } = answer;
  yield { type: "finished", finishReason, usage, model, sessionId: "", lastMessageId: undefined, costUsd: 0 };
}
