import { describe, expect, it } from "vitest";
import { member } from "../../test/support/pool-members.js";
import { checkHoldings, committedHoldingsOf } from "./owner-holdings.js";

const spawn = { kind: "spawn" } as const;

describe("checkHoldings", () => {
  it("lets a key at its cap give up its least recently used warm conversation, else refuses", () => {
    const old = member("bound", { owner: "a", lastUsedAt: 1, conversation: { id: "c1", revision: 1 } });
    const recent = member("bound", { owner: "a", lastUsedAt: 2, conversation: { id: "c2", revision: 1 } });
    expect(checkHoldings([old, member("leased", { owner: "b" })], "a", 2, spawn)).toEqual({ kind: "within" });
    expect(checkHoldings([recent, old], "a", 2, spawn)).toEqual({ kind: "release", member: old });
    const running = [member("leased", { owner: "a" }), member("starting", { owner: "a", claimed: true })];
    expect(checkHoldings(running, "a", 2, spawn)).toEqual({ kind: "full" });
    expect(checkHoldings(running, "a", undefined, spawn)).toEqual({ kind: "within" });
  });

  it("counts what the key holds on other instances, and lets no warm conversation go when that cannot make room", () => {
    const warm = member("bound", { owner: "a", conversation: { id: "c1", revision: 1 } });
    const leased = member("leased", { owner: "a" });
    expect(checkHoldings([leased], "a", 3, spawn, undefined, 1)).toEqual({ kind: "within" });
    expect(checkHoldings([leased], "a", 3, spawn, undefined, 2)).toEqual({ kind: "full" });
    expect(checkHoldings([leased, warm], "a", 4, spawn, undefined, 2)).toEqual({ kind: "release", member: warm });
    // Held elsewhere (committed) plus running here fill the cap: clearing the warm one would not help.
    expect(checkHoldings([leased, warm], "a", 3, spawn, undefined, 2)).toEqual({ kind: "full" });
    expect(checkHoldings([warm], "a", 3, spawn, undefined, 5)).toEqual({ kind: "full" });
  });
});

describe("committedHoldingsOf", () => {
  it("counts per owner the processes running, being readied or claimed while booting — not warm conversations", () => {
    const members = [
      member("leased", { owner: "a" }),
      member("preparing", { owner: "a" }),
      member("starting", { owner: "b", claimed: true }),
      member("starting"),
      member("bound", { owner: "a" }),
      member("idle", { owner: "b" }),
      member("clearing", { owner: "b" }),
      member("spare"),
    ];
    expect(committedHoldingsOf(members)).toEqual(
      new Map([
        ["a", 2],
        ["b", 1],
      ]),
    );
  });
});
