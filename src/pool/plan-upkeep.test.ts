import { describe, expect, it } from "vitest";
import { member, otherCommandLine, plain } from "../../test/support/pool-members.js";
import { bindingsToRelease, membersToReap, sparesToStart } from "./plan-upkeep.js";

describe("plan-upkeep", () => {
  it("starts spares up to the minimum and within the limit, counting unclaimed booting ones", () => {
    const members = new Set([member("spare"), member("starting"), member("starting", { claimed: true })]);
    expect(sparesToStart(members, plain.spawnKey, 4, 10)).toBe(2);
    expect(sparesToStart(members, plain.spawnKey, 4, 4)).toBe(1);
    expect(sparesToStart(members, otherCommandLine.spawnKey, 1, 10)).toBe(1);
  });

  it("reaps idle processes past the timeout, and spares only beyond the minimum", () => {
    const staleIdle = member("idle", { lastUsedAt: 0 });
    const freshIdle = member("idle", { lastUsedAt: 950 });
    const staleSpares = [member("spare", { lastUsedAt: 0 }), member("spare", { lastUsedAt: 0 })];
    const reaped = membersToReap(new Set([staleIdle, freshIdle, ...staleSpares]), 1_000, 100, 1);
    expect(reaped).toEqual([staleIdle, staleSpares[0]]);
  });

  it("releases conversations idle past the session timeout, and the oldest when a full pool has none ready", () => {
    const conversation = { id: "conv", revision: 1 };
    const stale = member("bound", { lastUsedAt: 0, conversation });
    const old = member("bound", { lastUsedAt: 800, conversation });
    const recent = member("bound", { lastUsedAt: 900, conversation });
    expect(bindingsToRelease(new Set([stale, old, recent]), 1_000, 500, 1, 10)).toEqual([stale]);
    // Full (3 of 3) and nothing ready: the timed-out one frees a process already.
    expect(bindingsToRelease(new Set([stale, old, recent]), 1_000, 500, 1, 3)).toEqual([stale]);
    expect(bindingsToRelease(new Set([old, recent]), 1_000, 500, 1, 2)).toEqual([old]);
    expect(bindingsToRelease(new Set([old, recent, member("idle")]), 1_000, 500, 1, 3)).toEqual([]);
    // A spare is not ready enough: its first turn is slow, so an old conversation is cleared instead.
    expect(bindingsToRelease(new Set([old, recent, member("spare")]), 1_000, 500, 1, 3)).toEqual([old]);
  });
});
