import { randomBytes } from "node:crypto";
import { describe, expect, it } from "vitest";
import { forwardedHeader, forwardedOwnerHeader, InternalCredential } from "./internal-credential.js";

/** A nonce ledger as Redis keeps it: each nonce taken once. */
function ledger() {
  const seen = new Set<string>();
  return async (nonce: string) => {
    if (seen.has(nonce)) return false;
    seen.add(nonce);
    return true;
  };
}

const secret = randomBytes(32);
/** An instance whose Redis holds `held` (a function: it may change). */
const instance = (id: string, held: () => Buffer = () => secret) =>
  new InternalCredential(id, async () => held(), ledger());
const sender = instance("inst_00000000000000aa");
const receiverId = "inst_00000000000000bb";
const receiver = () => instance(receiverId);
const request = { method: "POST", path: "/v1/chat/completions", owner: "key_0123456789abcdef", to: receiverId };
const now = 1_800_000_000_000;

async function verify(
  at: InternalCredential,
  pending: Promise<Record<string, string>> | Record<string, string>,
  changes: Partial<typeof request> = {},
  when = now,
) {
  const headers = await pending;
  const asked = { ...request, ...changes };
  return at.verify(headers[forwardedHeader], { ...asked, owner: headers[forwardedOwnerHeader] }, when);
}

describe("InternalCredential", () => {
  it("vouches for the owner of a request another instance sent on, once", async () => {
    const at = receiver();
    const headers = await sender.headers(request, now);
    expect(await verify(at, headers)).toBe(request.owner);
    // A replay — however soon, whatever it carries — is refused.
    expect(await verify(at, headers)).toBeUndefined();
    // The keyless operator is an owner too.
    expect(await verify(at, sender.headers({ ...request, owner: "" }, now), { owner: "" })).toBe("");
  });

  it("refuses it for another instance, method, path or owner, when old, or signed with another secret", async () => {
    const headers = () => sender.headers(request, now);
    expect(await verify(receiver(), headers(), { method: "DELETE" })).toBeUndefined();
    expect(await verify(receiver(), headers(), { path: "/v1/sessions/other" })).toBeUndefined();
    expect(
      await verify(receiver(), { ...(await headers()), [forwardedOwnerHeader]: "key_ffffffffffffffff" }),
    ).toBeUndefined();
    expect(await verify(receiver(), headers(), {}, now + 61_000)).toBeUndefined();
    expect(await verify(receiver(), headers(), {}, now - 61_000)).toBeUndefined();
    const elsewhere = instance("inst_00000000000000cc");
    expect(await verify(elsewhere, headers())).toBeUndefined();
    const other = randomBytes(32);
    const stranger = instance("inst_00000000000000aa", () => other);
    expect(await verify(receiver(), stranger.headers(request, now))).toBeUndefined();
  });

  it("moves to the secret Redis holds now, accepting the old one for a minute", async () => {
    let held = secret;
    const at = instance(receiverId, () => held);
    expect(await verify(at, sender.headers(request, now))).toBe(request.owner);
    held = randomBytes(32);
    await at.refresh(now);
    expect(await verify(at, sender.headers(request, now))).toBe(request.owner);
    expect(await verify(at, sender.headers(request, now + 61_000), {}, now + 61_000)).toBeUndefined();
    const moved = instance("inst_00000000000000aa", () => held);
    expect(await verify(at, moved.headers(request, now + 61_000), {}, now + 61_000)).toBe(request.owner);
  });

  it("refuses malformed headers without throwing", async () => {
    const at = receiver();
    for (const header of [
      "",
      "garbage",
      "inst_aa.1.zz",
      `inst_00000000000000aa.${now}.${"0".repeat(24)}.${"0".repeat(64)}`,
    ]) {
      expect(await at.verify(header, request, now)).toBeUndefined();
    }
    expect(await at.verify(undefined, request, now)).toBeUndefined();
    const header = (await sender.headers(request, now))[forwardedHeader];
    expect(await at.verify(header, { ...request, owner: undefined }, now)).toBeUndefined();
  });
});
