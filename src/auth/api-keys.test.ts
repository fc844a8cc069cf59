import { createHash } from "node:crypto";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { ConfigurationError } from "../config/configuration-error.js";
import { type ConfigurationInput, configurationSchema } from "../config/configuration-schema.js";
import { loadConfiguration } from "../config/load-configuration.js";
import { loadApiKeys } from "./api-keys.js";
import { requireGrant } from "./caller.js";
import { checkExposure, isLoopbackOnly, servesLoopbackOnly } from "./check-exposure.js";
import { MemoryKeyLimits } from "./memory-key-limits.js";

const configured = (input: ConfigurationInput) => configurationSchema.parse(input);

describe("API keys", () => {
  it("knows configured and filed keys, by an owner id that does not reveal them", () => {
    const file = join(mkdtempSync(join(tmpdir(), "ccapi-keys-")), "keys");
    writeFileSync(file, "# team keys\nfiled-key-0123456789\n\n");
    const keys = loadApiKeys(configured({ auth: { api_keys: ["listed-key-0123"], keys_file: file } }));
    const listed = keys.authenticate("listed-key-0123")?.owner;
    expect(listed).toMatch(/^key_[0-9a-f]{16}$/);
    expect(keys.authenticate("filed-key-0123456789")?.owner).toMatch(/^key_/);
    expect(keys.authenticate("filed-key-0123456789")?.owner).not.toBe(listed);
    expect(keys.authenticate("listed-key-0124")).toBeUndefined();
    expect(keys.authenticate("")).toBeUndefined();
    expect(listed).not.toContain("listed");
    expect([...(keys.authenticate("listed-key-0123")?.grants ?? [])]).toEqual([]);
  });

  it("gives auth.keys entries their grants (only those the configuration enables) and limits; a digest works like the key", () => {
    const digest = createHash("sha256").update("digest-key-0123456789").digest("hex");
    const keys = loadApiKeys(
      configured({
        agent: { enabled: true },
        auth: {
          max_processes_per_key: 3,
          keys: [
            { name: "ops", key: "ops-key-0123456789", grants: ["agent", "sessions", "admin"], max_processes: 6 },
            { name: "ci", key_sha256: digest, requests_per_minute: 5 },
          ],
          api_keys: ["plain-key-0123456789"],
        },
      }),
    );
    const ops = keys.authenticate("ops-key-0123456789");
    expect(ops?.name).toBe("ops");
    // sessions.enabled is false: the grant gives nothing.
    expect([...(ops?.grants ?? [])].sort()).toEqual(["admin", "agent"]);
    expect(ops?.limits.maxProcesses).toBe(6);
    const ci = keys.authenticate("digest-key-0123456789");
    expect(ci?.name).toBe("ci");
    expect(ci?.owner).toBe(`key_${digest.slice(0, 16)}`);
    expect(ci?.limits).toMatchObject({ requestsPerMinute: 5, maxProcesses: 3 });
    expect(() => requireGrant(ci ?? keys.operator, "agent", "This")).toThrow(
      expect.objectContaining({ status: 403, code: "permission_denied", message: expect.stringContaining("'agent'") }),
    );
    // The operator (keyless loopback) has what the configuration enables; anonymous remote callers nothing.
    expect([...keys.operator.grants].sort()).toEqual(["admin", "agent"]);
    const remote = loadApiKeys(configured({ agent: { enabled: true }, auth: { allow_anonymous_remote: true } }), false);
    expect([...remote.operator.grants]).toEqual([]);
    expect(() => configured({ auth: { keys: [{ name: "both", key: "k".repeat(10), key_sha256: digest }] } })).toThrow(
      /exactly one/,
    );
    expect(() => loadApiKeys(configured({ auth: { api_keys: ["same-key-01", "same-key-01"] } }))).toThrow(
      ConfigurationError,
    );
    // Names tell keys apart where the keys never show (the admin's usage by key).
    const twins = {
      auth: {
        keys: [
          { name: "team", key: "team-key-0001" },
          { name: "team", key: "team-key-0002" },
        ],
      },
    };
    expect(() => loadApiKeys(configured(twins))).toThrow(/two keys are named team/);
  });

  it("refuses to serve a non-loopback address without keys, judged by what the host resolves to", async () => {
    const at = (host: string, auth = {}) => configured({ server: { host }, auth });
    const check = async (configuration: ReturnType<typeof at>, keys = loadApiKeys(configuration)) =>
      checkExposure(configuration, keys, await isLoopbackOnly(configuration.server.host));
    const none = loadApiKeys(at("0.0.0.0"));
    await expect(check(at("0.0.0.0"), none)).rejects.toThrow(ConfigurationError);
    await expect(check(at("0.0.0.0"), none)).rejects.toThrow(/server.host/);
    await expect(check(at("127.0.0.1"), none)).resolves.toBeUndefined();
    await expect(check(at("::1"), none)).resolves.toBeUndefined();
    await expect(check(at("localhost"), none)).resolves.toBeUndefined();
    // Spelt like loopback, resolving elsewhere or nowhere.
    await expect(check(at("127.0.0.1.example.invalid"), none)).rejects.toThrow(/not a loopback/);
    await expect(check(at("0.0.0.0", { allow_anonymous_remote: true }), none)).resolves.toBeUndefined();
    const some = loadApiKeys(at("0.0.0.0", { api_keys: ["a-long-key-1"] }));
    await expect(check(at("0.0.0.0"), some)).resolves.toBeUndefined();
  });

  it("takes a gateway on loopback behind a trusted proxy for one that serves other machines", async () => {
    const behind = (auth = {}) => configured({ server: { trusted_proxies: ["127.0.0.1"] }, auth });
    expect(await servesLoopbackOnly(behind().server)).toBe(false);
    expect(await servesLoopbackOnly(configured({}).server)).toBe(true);
    const none = loadApiKeys(behind(), false);
    await expect(checkExposure(behind(), none, false)).rejects.toThrow(/server.trusted_proxies is set/);
    // Keyless callers through the proxy are anonymous: no grant, not the operator's.
    const anonymous = behind({ allow_anonymous_remote: true });
    await expect(checkExposure(anonymous, loadApiKeys(anonymous, false), false)).resolves.toBeUndefined();
    const keyed = behind({ api_keys: ["a-long-key-1"] });
    await expect(checkExposure(keyed, loadApiKeys(keyed, false), false)).resolves.toBeUndefined();
  });
});

describe("MemoryKeyLimits", () => {
  it("counts requests per minute in a sliding window, and requests in flight, per key", async () => {
    const limits = new MemoryKeyLimits();
    const caller = (owner: string) => ({ owner, limits: { requestsPerMinute: 2, maxConcurrentRequests: 1 } });
    const first = await limits.admit(caller("a"), 0);
    await expect(limits.admit(caller("a"), 10)).rejects.toThrow(/in flight/);
    first();
    (await limits.admit(caller("a"), 20))();
    await expect(limits.admit(caller("a"), 30)).rejects.toThrow(
      expect.objectContaining({ status: 429, retryAfterSeconds: 60 }),
    );
    (await limits.admit(caller("b"), 30))();
    (await limits.admit(caller("a"), 60_001))();
    // A key with limits of its own.
    const generous = { owner: "a", limits: { requestsPerMinute: 100 } };
    (await limits.admit(generous, 60_002))();
  });
});

describe("the README's example of serving another address", () => {
  it("starts with the key the example sets, and is refused without it", async () => {
    const directory = mkdtempSync(join(tmpdir(), "ccapi-readme-example-"));
    const example = { CLAUDE_CODE__AUTH__API_KEYS: '["sk-change-me"]', CLAUDE_CODE__SERVER__HOST: "0.0.0.0" };
    const withKey = loadConfiguration({ directory, environment: example });
    await expect(checkExposure(withKey, loadApiKeys(withKey), false)).resolves.toBeUndefined();
    const withoutKey = loadConfiguration({ directory, environment: { CLAUDE_CODE__SERVER__HOST: "0.0.0.0" } });
    await expect(checkExposure(withoutKey, loadApiKeys(withoutKey), false)).rejects.toBeInstanceOf(ConfigurationError);
  });
});
