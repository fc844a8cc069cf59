import { describe, expect, it } from "vitest";
import { extendDigest, historyRoot } from "./history-digest.js";

describe("history digests", () => {
  const turn = [
    { role: "user", text: "hi" },
    { role: "assistant", text: "hello" },
  ];

  it("extends step by step to the same digest as all at once", () => {
    const root = historyRoot("", "profile");
    const stepwise = extendDigest(extendDigest(root, turn.slice(0, 1)), turn.slice(1));
    expect(stepwise).toBe(extendDigest(root, turn));
    expect(extendDigest(root, [])).toBe(root);
  });

  it("differs by owner, profile, role, text and message boundaries", () => {
    const base = extendDigest(historyRoot("", "profile"), turn);
    expect(extendDigest(historyRoot("alice", "profile"), turn)).not.toBe(base);
    expect(extendDigest(historyRoot("", "pirate"), turn)).not.toBe(base);
    expect(
      extendDigest(historyRoot("", "profile"), [
        { role: "user", text: "hi" },
        { role: "user", text: "hello" },
      ]),
    ).not.toBe(base);
    const merged = [{ role: "user", text: "hi" }];
    expect(extendDigest(historyRoot("", "p"), merged)).not.toBe(
      extendDigest(historyRoot("", "p"), [
        { role: "user", text: "h" },
        { role: "user", text: "i" },
      ]),
    );
  });
});
