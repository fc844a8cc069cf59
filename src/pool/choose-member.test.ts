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
});
