/**
 * Retention with the REAL CLI, on both stores, with a clock the test moves: a key's conversations
 * not continued for its retention period are deleted — record, items, stored transcript, and the
 * CLI's transcript files in the model room or the key's own room — while other keys' are kept; a
 * one-off's files go at once; the CLI's files untouched for a day are swept, and a conversation
 * whose file was swept resumes from the store's copy. Deleting a conversation removes its CLI
 * files at once.
 */
import { existsSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { eventually } from "../support/eventually.js";
import { type RedisServer, startRedisServer } from "../support/start-redis-server.js";
import { gatewaysClosedAfterEachTest, type TestGateway } from "../support/start-test-gateway.js";
import { lastTurnsSeen } from "../support/turns-seen.js";

const keys = { brief: "brief-key-0123456", keeper: "keeper-key-0123456", plain: "plain-key-0123456" };
const day = 24 * 60 * 60 * 1000;

let redis: RedisServer;
beforeAll(async () => {
  redis = await startRedisServer();
});
afterAll(() => redis.close());

const startGateway = gatewaysClosedAfterEachTest();

/** `storeUrl`: undefined for the default SQLite file in the gateway's data dir. */
function start(storeUrl: () => string | undefined) {
  return startGateway({
    agent: { enabled: true },
    auth: {
      keys: [
        { name: "brief", key: keys.brief, grants: ["agent"], retention_days: 1 },
        { name: "keeper", key: keys.keeper, retention_days: 0 },
        { name: "plain", key: keys.plain },
      ],
    },
    store: { url: storeUrl(), redis_key_prefix: `retention${Date.now()}:` },
  });
}

async function chat(test: TestGateway, key: string, body: Record<string, unknown>) {
  const response = await fetch(`${test.url}/v1/chat/completions`, {
    method: "POST",
    headers: { "content-type": "application/json", authorization: `Bearer ${key}` },
    body: JSON.stringify({ model: "sonnet", ...body }),
  });
  expect(response.status).toBe(200);
  return (await response.json()) as { conversation_id: string };
}

/** Every file called `name` under `root` (the rooms are root's to read in these tests, or the gateway user's). */
function filesNamed(root: string, name: string): string[] {
  if (!existsSync(root)) return [];
  return readdirSync(root, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile() && entry.name === name)
    .map((entry) => join(entry.parentPath, entry.name));
}

/** The CLI's session files (in the model room and the rooms) whose text contains `text`. */
function filesMentioning(test: TestGateway, text: string): string[] {
  return [test.environment.configDirectory, test.environment.dataDirectory]
    .filter((root) => existsSync(root))
    .flatMap((root) =>
      readdirSync(root, { recursive: true, withFileTypes: true })
        .filter((entry) => entry.isFile() && entry.name.endsWith(".jsonl"))
        .map((entry) => join(entry.parentPath, entry.name)),
    )
    .filter((path) => readFileSync(path, "utf8").includes(text));
}

const ownerOf = (test: TestGateway, name: string) =>
  test.gateway.services.apiKeys.callers().find((caller) => caller.name === name)?.owner ?? "";

/** Transcripts in the operator's CLI config dir (the model room's). */
function modelRoomFiles(test: TestGateway): string[] {
  if (!existsSync(test.environment.configDirectory)) return [];
  return readdirSync(test.environment.configDirectory, { recursive: true })
    .map(String)
    .filter((name) => name.endsWith(".jsonl"));
}

function cliFilesOf(test: TestGateway, sessionId: string | null | undefined): string[] {
  const name = `${sessionId}.jsonl`;
  return [test.environment.configDirectory, test.environment.dataDirectory].flatMap((root) => filesNamed(root, name));
}

describe.each([
  ["SQLite", () => undefined],
  ["Redis", () => redis.url],
])("retention with the %s store", (_kind, storeUrl) => {
  it("deletes a key's conversations after its retention period, with every copy of their transcripts", async () => {
    const test = await start(storeUrl);
    const { store, transcriptSync } = test.gateway.services.conversationTurns;
    const { retention, pool } = test.gateway.services;
    const brief = await chat(test, keys.brief, { messages: [{ role: "user", content: "brief one" }] });
    const keeper = await chat(test, keys.keeper, { messages: [{ role: "user", content: "keep me" }] });
    const plain = await chat(test, keys.plain, { messages: [{ role: "user", content: "plain one" }] });
    await transcriptSync.drain();
    const sessionOf = async (reply: { conversation_id: string }) => (await store.get(reply.conversation_id))?.sessionId;
    const sessions = { brief: await sessionOf(brief), keeper: await sessionOf(keeper), plain: await sessionOf(plain) };
    // The agent's transcript is in its room; the models' in the shared model room.
    const roomsDirectory = join(test.environment.dataDirectory, "rooms");
    expect(cliFilesOf(test, sessions.brief)).toEqual([expect.stringContaining(roomsDirectory)]);
    expect(cliFilesOf(test, sessions.plain)).toEqual([expect.stringContaining(test.environment.configDirectory)]);
    // A one-off's files are gone as soon as its process was cleared.
    await chat(test, keys.plain, { store: false, messages: [{ role: "user", content: "one-off 7f3a" }] });
    await eventually(() => expect(filesMentioning(test, "one-off 7f3a")).toHaveLength(1));
    await eventually(() => expect(filesMentioning(test, "one-off 7f3a")).toEqual([]));
    // What a failed turn may leave behind, in the model room and in a room.
    const strays = [
      join(dirname(cliFilesOf(test, sessions.plain)[0] ?? ""), "0b7c3f4e-1d2a-4b5c-8d9e-0f1a2b3c4d5e.jsonl"),
      join(dirname(cliFilesOf(test, sessions.brief)[0] ?? ""), "1b7c3f4e-1d2a-4b5c-8d9e-0f1a2b3c4d5e.jsonl"),
    ];
    for (const path of strays) writeFileSync(path, "{}\n");

    // Two days on, every process has long been let go (conversation.session_timeout_minutes).
    for (const reply of [keeper, plain]) await pool.forget(reply.conversation_id);
    const now = Date.now();
    const twoDaysOn = await retention.sweep(now + 2 * day);
    expect(twoDaysOn.conversations).toBe(1);
    expect(await store.get(brief.conversation_id)).toBeUndefined();
    expect(await store.items(brief.conversation_id)).toEqual([]);
    expect(await store.transcript(brief.conversation_id)).toBeUndefined();
    await eventually(() => expect(cliFilesOf(test, sessions.brief)).toEqual([]));
    for (const kept of [keeper, plain]) expect(await store.get(kept.conversation_id)).toBeDefined();
    // Session files untouched for a day go whoever's they are: the store keeps the transcripts.
    expect(strays.filter((path) => existsSync(path))).toEqual([]);
    // (The CLI flushes a /clear's lines ~0.1 s late, into a new file: the next sweep takes that.)
    await eventually(async () => {
      await retention.sweep(now + 2 * day);
      expect(modelRoomFiles(test)).toEqual([]);
    });
    // The next turn resumes the session from the store's copy.
    await chat(test, keys.plain, {
      conversation_id: plain.conversation_id,
      messages: [{ role: "user", content: "again" }],
    });
    expect(lastTurnsSeen(test.environment.mock).slice(0, 2)).toEqual([
      "user: plain one",
      expect.stringMatching(/^assistant: /),
    ]);
    await transcriptSync.drain();

    const aMonthOn = await retention.sweep(now + 31 * day);
    expect(aMonthOn.conversations).toBe(1);
    expect(await store.get(plain.conversation_id)).toBeUndefined();
    await eventually(() => expect(cliFilesOf(test, sessions.plain)).toEqual([]));
    // retention_days 0: kept until deleted.
    expect(await store.get(keeper.conversation_id)).toBeDefined();
    await chat(test, keys.keeper, {
      conversation_id: keeper.conversation_id,
      messages: [{ role: "user", content: "still there?" }],
    });
    expect(lastTurnsSeen(test.environment.mock).slice(0, 1)).toEqual(["user: keep me"]);
  });
});

describe("deleting a conversation", () => {
  it("removes the CLI's transcript files with it, in the model room and in a key's room", async () => {
    const test = await start(() => undefined);
    const { store, transcriptSync } = test.gateway.services.conversationTurns;
    for (const key of [keys.plain, keys.brief]) {
      const reply = await chat(test, key, { messages: [{ role: "user", content: "delete me" }] });
      await transcriptSync.drain();
      const sessionId = (await store.get(reply.conversation_id))?.sessionId;
      expect(cliFilesOf(test, sessionId)).toHaveLength(1);
      const deleted = await fetch(`${test.url}/v1/conversations/${reply.conversation_id}`, {
        method: "DELETE",
        headers: { authorization: `Bearer ${key}` },
      });
      expect(deleted.status).toBe(200);
      // At once, and again once the CLI flushed what clearing its process still wrote.
      await eventually(() => expect(cliFilesOf(test, sessionId)).toEqual([]));
      expect(await store.transcript(reply.conversation_id)).toBeUndefined();
    }
  });
});

describe("a turn nothing records", () => {
  it("leaves no CLI files behind: a stream the client abandons, like a one-off", async () => {
    const test = await start(() => undefined);
    const aborted = new AbortController();
    const response = await fetch(`${test.url}/v1/chat/completions`, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: `Bearer ${keys.plain}` },
      body: JSON.stringify({
        model: "sonnet",
        stream: true,
        messages: [{ role: "user", content: "[[slow:50:100]] abandoned 9c2e" }],
      }),
      signal: aborted.signal,
    });
    // Read on (a stream nobody reads holds its turn), until the CLI has written the turn's file.
    const reading = (async () => {
      for await (const _ of response.body ?? []) if (aborted.signal.aborted) return;
    })().catch(() => {});
    await eventually(() => expect(filesMentioning(test, "abandoned 9c2e")).toHaveLength(1));
    aborted.abort();
    await reading;
    await eventually(() => expect(filesMentioning(test, "abandoned 9c2e")).toEqual([]));
    expect(await test.gateway.services.conversationTurns.store.usage(ownerOf(test, "plain"))).toEqual({
      conversations: 0,
      bytes: 0,
    });
  });
});
