import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { type ParkedTurn, ParkedTurns } from "./parked-turns.js";

function parkedTurn(owner = "a"): ParkedTurn & { abandoned: string[] } {
  const abandoned: string[] = [];
  return {
    toolCallIds: ["call_1"],
    conversationId: "conv_1",
    owner,
    abandoned,
    abandon: (reason) => abandoned.push(reason),
  };
}

describe("ParkedTurns", () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it("abandons a turn whose results never come, at the deadline set when it was parked", () => {
    const turns = new ParkedTurns<ReturnType<typeof parkedTurn>>(1_000);
    const turn = parkedTurn();
    turns.park(turn);
    vi.advanceTimersByTime(600);
    // Results that were refused (incomplete, over the quota) put it back: the clock keeps running.
    expect(turns.take("a", ["call_1"])).toBe(turn);
    turns.restore(turn);
    vi.advanceTimersByTime(399);
    expect(turn.abandoned).toEqual([]);
    vi.advanceTimersByTime(1);
    expect(turn.abandoned).toEqual(["The client did not send the tool results in time."]);
    expect(turns.size).toBe(0);
  });

  it("gives a turn parked anew (its next round of tool calls) a deadline of its own", () => {
    const turns = new ParkedTurns<ReturnType<typeof parkedTurn>>(1_000);
    turns.park(parkedTurn());
    vi.advanceTimersByTime(900);
    expect(turns.take("b", ["call_1"])).toBeUndefined(); // another owner's: not seen
    const next = parkedTurn();
    turns.take("a", ["call_1"]);
    turns.park(next);
    vi.advanceTimersByTime(900);
    expect(next.abandoned).toEqual([]);
    expect(turns.size).toBe(1);
  });
});
