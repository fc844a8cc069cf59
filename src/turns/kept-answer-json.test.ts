/**
 * A kept answer crosses JSON on its way to the shared cache (Redis) and back: what comes back must be
 * exactly what was kept, and tell the same events, or a hit on another instance would differ from
 * one on the instance that ran the turn.
 */
import { describe, expect, it } from "vitest";
import { AnswerSoFar, keptAnswerEvents, keptAnswerOf } from "./answer-so-far.js";
import type { TurnEvent } from "./turn-event.js";

function keptFrom(events: TurnEvent[], finishReason: "stop" | "length") {
  const answer = new AnswerSoFar();
  for (const event of events) answer.add(event);
  const usage = { input: 2 ** 40 + 1, output: 17, cachedInput: 3, cacheWrite: 4, reasoning: 5 };
  return keptAnswerOf(answer, { model: "claude-opus-4-1", finishReason, usage });
}

const throughJson = <T>(value: T): T => JSON.parse(JSON.stringify(value)) as T;

describe("a kept answer through JSON", () => {
  it.each([
    ["plain text", [{ type: "text", text: "Hello." }], "stop"],
    ["nothing said at all", [], "length"],
    [
      "reasoning with its signature, a replacement, unicode and a lone surrogate",
      [
        { type: "reasoning", text: "Let me think… 🤔" },
        { type: "reasoning_signature", signature: "EqQBCkYIBxgCKkA+/==" },
        { type: "text", text: 'draft "quoted"\n\ttail\udc00' },
        { type: "replace", discarded: "tail\udc00", text: "end — ✓ \u0000" },
      ],
      "stop",
    ],
    ["a refusal", [{ type: "refusal", text: "I can't help with that." }], "stop"],
  ] as Array<[string, TurnEvent[], "stop" | "length"]>)("comes back exactly: %s", (_, events, finishReason) => {
    const kept = keptFrom(events, finishReason);
    const back = throughJson(kept);
    expect(back).toStrictEqual(kept);
    expect([...keptAnswerEvents(back)]).toStrictEqual([...keptAnswerEvents(kept)]);
  });
});
