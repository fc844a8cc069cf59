import { describe, expect, it } from "vitest";
import { SessionHistory } from "./session-history.js";

const message = (index: number, text = "") => ({ type: "assistant", index, text });
const bytesOf = (value: unknown) => Buffer.byteLength(JSON.stringify(value));

describe("SessionHistory", () => {
  it("replays everything, without a note, while it fits", () => {
    const history = new SessionHistory(1024);
    for (const index of [1, 2, 3]) history.add(message(index));
    expect(history.replay()).toEqual([message(1), message(2), message(3)]);
    expect(history.size).toBe(3 * bytesOf(message(1)));
  });

  it("drops the oldest whole messages past the bound and says how many", () => {
    const one = bytesOf(message(10, "x".repeat(50))); // the widest of them
    const history = new SessionHistory(3 * one);
    for (let index = 1; index <= 10; index++) history.add(message(index, "x".repeat(50)));
    const replayed = history.replay();
    expect(replayed[0]).toEqual({ type: "history_truncated", dropped_messages: 7 });
    expect(replayed.slice(1).map((kept) => (kept as { index: number }).index)).toEqual([8, 9, 10]);
    expect(history.size).toBeLessThanOrEqual(3 * one);
  });

  it("measures UTF-8 bytes, not characters", () => {
    const wide = message(1, "é".repeat(100));
    const history = new SessionHistory(bytesOf(wide) - 1);
    history.add(wide);
    expect(history.replay()).toEqual([{ type: "history_truncated", dropped_messages: 1 }]);
  });

  it("keeps nothing of a message larger than the bound, and keeps what comes after it", () => {
    const history = new SessionHistory(200);
    history.add(message(1));
    history.add(message(2, "x".repeat(500)));
    history.add(message(3));
    expect(history.replay()).toEqual([{ type: "history_truncated", dropped_messages: 2 }, message(3)]);
  });
});
