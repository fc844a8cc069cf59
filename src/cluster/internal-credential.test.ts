import { randomBytes } from "node:crypto";
import { describe, expect, it } from "vitest";
import { forwardedHeader, forwardedOwnerHeader, InternalCredential } from "./internal-credential.js";

const secret = randomBytes(32);
const sender = new InternalCredential(secret, "inst_00000000000000aa");
const receiver = new InternalCredential(secret, "inst_00000000000000bb");
const request = { method: "POST", path: "/v1/chat/completions", owner: "key_0123456789abcdef" };
const now = 1_800_000_000_000;

function verify(headers: Record<string, string>, changes: Partial<typeof request> = {}, at = now) {
  const asked = { ...request, ...changes };
  return receiver.verify(headers[forwardedHeader], { ...asked, owner: headers[forwardedOwnerHeader] }, at);
}

describe("InternalCredential", () => {
  it("vouches for the owner of a request another instance sent on", () => {
    expect(verify(sender.headers(request, now))).toBe(request.owner);
    // The keyless operator is an owner too.
    expect(verify(sender.headers({ ...request, owner: "" }, now), { owner: "" })).toBe("");
  });

  it("refuses it for another method, path or owner, when old, or signed with another secret", () => {
    const headers = sender.headers(request, now);
    expect(verify(headers, { method: "DELETE" })).toBeUndefined();
    expect(verify(headers, { path: "/v1/sessions/other" })).toBeUndefined();
    expect(verify({ ...headers, [forwardedOwnerHeader]: "key_ffffffffffffffff" })).toBeUndefined();
    expect(verify(headers, {}, now + 61_000)).toBeUndefined();
    expect(verify(headers, {}, now - 61_000)).toBeUndefined();
    const stranger = new InternalCredential(randomBytes(32), "inst_00000000000000aa");
    expect(verify(stranger.headers(request, now))).toBeUndefined();
  });

  it("refuses malformed headers without throwing", () => {
    for (const header of ["", "garbage", "inst_aa.1.zz", `inst_aa.${now}.${"0".repeat(64)}`, "a.b.c.d"]) {
      expect(receiver.verify(header, request, now)).toBeUndefined();
    }
    expect(receiver.verify(undefined, request, now)).toBeUndefined();
    expect(
      receiver.verify(sender.headers(request, now)[forwardedHeader], { ...request, owner: undefined }, now),
    ).toBeUndefined();
  });
});
