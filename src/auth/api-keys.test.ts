import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { ConfigurationError } from "../config/configuration-error.js";
import { configurationSchema } from "../config/configuration-schema.js";
import { checkExposure, loadApiKeys } from "./api-keys.js";
import { KeyLimits } from "./key-limits.js";

describe("API keys", () => {
  it("knows configured and filed keys, by an owner id that does not reveal them", () => {
    const file = join(mkdtempSync(join(tmpdir(), "ccapi-keys-")), "keys");
    writeFileSync(file, "# team keys\nfiled-key-0123456789\n\n");
    const keys = loadApiKeys(
      configurationSchema.parse({ auth: { api_keys: ["listed-key-0123"], keys_file: file } }).auth,
    );
    const listed = keys.authenticate("listed-key-0123");
    expect(listed).toMatch(/^key_[0-9a-f]{16}$/);
    expect(keys.authenticate("filed-key-0123456789")).toMatch(/^key_/);
    expect(keys.authenticate("filed-key-0123456789")).not.toBe(listed);
    expect(keys.authenticate("listed-key-0124")).toBeUndefined();
    expect(keys.authenticate("")).toBeUndefined();
    expect(listed).not.toContain("listed");
  });

  it("refuses to serve a non-loopback address without keys, unless told to", () => {
    const at = (host: string, auth = {}) => configurationSchema.parse({ server: { host }, auth });
    const none = loadApiKeys(at("0.0.0.0").auth);
    expect(() => checkExposure(at("0.0.0.0"), none)).toThrow(ConfigurationError);
    expect(() => checkExposure(at("0.0.0.0"), none)).toThrow(/server.host/);
    expect(() => checkExposure(at("127.0.0.1"), none)).not.toThrow();
    expect(() => checkExposure(at("::1"), none)).not.toThrow();
    expect(() => checkExposure(at("0.0.0.0", { allow_anonymous_remote: true }), none)).not.toThrow();
    const some = loadApiKeys(at("0.0.0.0", { api_keys: ["a-long-key-1"] }).auth);
    expect(() => checkExposure(at("0.0.0.0"), some)).not.toThrow();
  });
});

describe("KeyLimits", () => {
  it("counts requests per minute in a sliding window, and requests in flight, per key", () => {
    const limits = new KeyLimits(2, 1);
    const first = limits.admit("a", 0);
    expect(() => limits.admit("a", 10)).toThrow(/in flight/);
    first();
    limits.admit("a", 20)();
    expect(() => limits.admit("a", 30)).toThrow(expect.objectContaining({ status: 429, retryAfterSeconds: 60 }));
    limits.admit("b", 30)();
    limits.admit("a", 60_001)();
  });
});
