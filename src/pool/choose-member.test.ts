import { describe, expect, it } from "vitest";
import { member, otherCommandLine, pirate, plain } from "../../test/support/pool-members.js";
import { chooseMember } from "./choose-member.js";

describe("chooseMember", () => {
  it("takes the most recently used idle process of the same profile", () => {
    const older = member("idle", { profileKey: plain.key, lastUsedAt: 1 });
    const newer = member("idle", { profileKey: plain.key, lastUsedAt: 2 });
    const spare = member("spare");
    expect(chooseMember([older, spare, newer], plain, 10)).toEqual({ kind: "take", member: newer });
  });

  it("waits for its own profile's process that is clearing rather than taking a spare", () => {
    const clearing = member("clearing", { profileKey: plain.key });
    expect(chooseMember([clearing, member("spare")], plain, 10)).toEqual({ kind: "soon" });
  });

  it("initializes a spare of the same command line for a new system prompt", () => {
    const idleOther = member("idle", { profileKey: plain.key });
    const spare = member("spare");
    expect(chooseMember([idleOther, spare], pirate, 10)).toEqual({ kind: "take", member: spare });
  });

  it("claims a booting spare, then spawns under the limit, then replaces the least recently used", () => {
    const booting = member("starting");
    expect(chooseMember([booting], plain, 10)).toEqual({ kind: "claim", member: booting });
    expect(chooseMember([member("starting", { claimed: true })], plain, 10)).toEqual({ kind: "spawn" });
    const oldIdle = member("idle", { profileKey: pirate.key, lastUsedAt: 1 });
    const newIdle = member("idle", { profileKey: pirate.key, lastUsedAt: 5 });
    expect(chooseMember([newIdle, oldIdle], otherCommandLine, 2)).toEqual({ kind: "replace", victim: oldIdle });
  });

  it("finds nothing when every process is busy", () => {
    const busy = [member("leased", { profileKey: plain.key }), member("preparing")];
    expect(chooseMember(busy, plain, 2)).toEqual({ kind: "none" });
  });

  it("continues a conversation in the process holding it at that revision, else resumes it in a new one", () => {
    const holder = member("bound", { profileKey: plain.key, conversation: { id: "conv_a", revision: 2 } });
    const idle = member("idle", { profileKey: plain.key });
    expect(chooseMember([idle, holder], plain, 10, { id: "conv_a", revision: 2 })).toEqual({
      kind: "take",
      member: holder,
    });
    // Behind (another instance moved on), or gone: a new process resumes it — never an idle one.
    expect(chooseMember([idle, holder], plain, 10, { id: "conv_a", revision: 3 })).toEqual({ kind: "spawn" });
    expect(chooseMember([idle], plain, 1, { id: "conv_a", revision: 3 })).toEqual({ kind: "replace", victim: idle });
    expect(chooseMember([member("leased")], plain, 1, { id: "conv_a", revision: 3 })).toEqual({ kind: "none" });
  });

  it("clears the least recently used conversation of the same profile before spawning", () => {
    const older = member("bound", {
      profileKey: plain.key,
      lastUsedAt: 1,
      conversation: { id: "conv_1", revision: 1 },
    });
    const newer = member("bound", {
      profileKey: plain.key,
      lastUsedAt: 2,
      conversation: { id: "conv_2", revision: 1 },
    });
    const otherProfile = member("bound", { profileKey: pirate.key, lastUsedAt: 0 });
    expect(chooseMember([newer, otherProfile, older], plain, 10)).toEqual({ kind: "evict", member: older });
    // A conversation's process is replaced only when no idle process or spare can be.
    const spareOther = member("spare", { spawnKey: otherCommandLine.spawnKey, lastUsedAt: 5 });
    expect(chooseMember([otherProfile, spareOther], plain, 2)).toEqual({ kind: "replace", victim: spareOther });
    expect(chooseMember([otherProfile], plain, 1)).toEqual({ kind: "replace", victim: otherProfile });
  });
});
