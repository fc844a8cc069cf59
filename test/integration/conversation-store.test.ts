/** One contract, two stores: SQLite (a temp file) and Redis (a real redis-server). */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Database from "better-sqlite3";
import { Redis } from "ioredis";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, onTestFinished, vi } from "vitest";
import type { ConversationRecord, ConversationStore, RecordedTurn } from "../../src/store/conversation-store.js";
import { openConversationStore } from "../../src/store/open-conversation-store.js";
import { type RedisServer, startRedisServer } from "../support/start-redis-server.js";
import { startTestGateway } from "../support/start-test-gateway.js";

let redis: RedisServer;
let directory: string;
beforeAll(async () => {
  redis = await startRedisServer();
  directory = mkdtempSync(join(tmpdir(), "ccapi-store-"));
});
afterAll(async () => {
  await redis.close();
  rmSync(directory, { recursive: true, force: true });
});

let counter = 0;
const kinds: Array<[string, () => string]> = [
  ["sqlite", () => `sqlite:${join(directory, `store-${++counter}.sqlite`)}`],
  // A fresh key prefix per test isolates tests sharing the server.
  ["redis", () => redis.url],
];

function record(id: string, overrides: Partial<ConversationRecord> = {}): ConversationRecord {
  return {
    id,
    owner: "",
    createdAt: 1_700_000_000,
    metadata: {},
    model: null,
    systemPrompt: null,
    sessionId: null,
    revision: 0,
    historyDigest: "d0",
    transcriptSessionId: null,
    transcriptRevision: 0,
    transcriptLength: 0,
    ...overrides,
  };
}

function turn(expectedRevision: number, overrides: Partial<RecordedTurn> = {}): RecordedTurn {
  return {
    expectedRevision,
    model: "sonnet",
    systemPrompt: "Be brief.",
    sessionId: "session-1",
    historyDigest: `d${expectedRevision + 1}`,
    items: [
      { id: `msg_u${expectedRevision}`, role: "user", text: `question ${expectedRevision}`, createdAt: 1 },
      { id: `msg_a${expectedRevision}`, role: "assistant", text: `answer ${expectedRevision}`, createdAt: 2 },
    ],
    ...overrides,
  };
}

describe.each(kinds)("the %s conversation store", (_kind, url) => {
  let store: ConversationStore;
  beforeEach(() => {
    store = openConversationStore(url(), `test${++counter}:`, { maxItems: 5 });
  });
  afterEach(() => store.close());

  it("creates, reads, updates metadata and deletes a conversation", async () => {
    await store.create(record("conv_a", { metadata: { topic: "x" }, model: "opus" }), [
      { id: "msg_1", role: "user", text: "seed", createdAt: 3 },
    ]);
    expect(await store.get("conv_a")).toEqual(record("conv_a", { metadata: { topic: "x" }, model: "opus" }));
    expect(await store.items("conv_a")).toEqual([{ id: "msg_1", role: "user", text: "seed", createdAt: 3 }]);
    expect((await store.updateMetadata("conv_a", { topic: "y" }))?.metadata).toEqual({ topic: "y" });
    expect(await store.updateMetadata("conv_missing", {})).toBeUndefined();
    expect(await store.delete("conv_a")).toBe(true);
    expect(await store.delete("conv_a")).toBe(false);
    expect(await store.get("conv_a")).toBeUndefined();
    expect(await store.items("conv_a")).toEqual([]);
    expect(await store.findByDigest("", "d0")).toEqual([]);
  });

  it("records turns atomically, refuses a stale revision, and creates a conversation on its first turn", async () => {
    expect(await store.recordTurn("conv_b", "", turn(0))).toBe("recorded");
    expect(await store.recordTurn("conv_b", "", turn(0))).toBe("conflict");
    expect(await store.recordTurn("conv_b", "", turn(1))).toBe("recorded");
    const stored = await store.get("conv_b");
    expect(stored).toMatchObject({ revision: 2, historyDigest: "d2", sessionId: "session-1", metadata: {} });
    expect(stored).toMatchObject({ transcriptRevision: 0, transcriptSessionId: null, transcriptLength: 0 });
    // A turn on a conversation that does not exist and is not new conflicts instead of inventing one.
    expect(await store.recordTurn("conv_none", "", turn(3))).toBe("conflict");
  });

  it("saves the transcript as of a turn: replaced, appended at its exact end, never older or ahead", async () => {
    await store.recordTurn("conv_t", "", turn(0));
    await store.recordTurn("conv_t", "", turn(1));
    const first = "línea 0\n";
    expect(await store.saveTranscript("conv_t", { revision: 1, sessionId: "s1", offset: 0, text: first })).toBe(true);
    expect(await store.get("conv_t")).toMatchObject({
      transcriptRevision: 1,
      transcriptSessionId: "s1",
      transcriptLength: Buffer.byteLength(first),
    });
    const append = { revision: 2, sessionId: "s1", text: "line 1\n" };
    expect(await store.saveTranscript("conv_t", { ...append, offset: 3 })).toBe(false); // not its end
    expect(await store.saveTranscript("conv_t", { ...append, sessionId: "s2", offset: Buffer.byteLength(first) })).toBe(
      false, // another session's file
    );
    expect(await store.saveTranscript("conv_t", { ...append, offset: Buffer.byteLength(first) })).toBe(true);
    expect(await store.transcript("conv_t")).toBe(`${first}line 1\n`);
    // Lengths are UTF-8 bytes after appending too (the next append's offset is a file position).
    expect((await store.get("conv_t"))?.transcriptLength).toBe(Buffer.byteLength(`${first}line 1\n`));
    expect(await store.saveTranscript("conv_t", { revision: 2, sessionId: "s1", offset: 0, text: "x" })).toBe(false);
    expect(await store.saveTranscript("conv_t", { revision: 3, sessionId: "s1", offset: 0, text: "x" })).toBe(false);
    await store.recordTurn("conv_t", "", turn(2));
    expect(await store.saveTranscript("conv_t", { revision: 3, sessionId: "s3", offset: 0, text: "whole\n" })).toBe(
      true,
    );
    expect(await store.transcript("conv_t")).toBe("whole\n");
    expect(await store.transcript("conv_none")).toBeUndefined();
    expect(await store.saveTranscript("conv_none", { revision: 1, sessionId: "s", offset: 0, text: "" })).toBe(false);
  });

  it("keeps the newest maxItems items", async () => {
    for (let revision = 0; revision < 4; revision++) await store.recordTurn("conv_c", "", turn(revision));
    const items = await store.items("conv_c");
    expect(items.map((item) => item.id)).toEqual(["msg_a1", "msg_u2", "msg_a2", "msg_u3", "msg_a3"]);
  });

  it("finds a conversation by its current history digest only, within its owner", async () => {
    await store.recordTurn("conv_d", "alice", turn(0));
    expect(await store.findByDigest("alice", "d1")).toEqual(["conv_d"]);
    expect(await store.findByDigest("bob", "d1")).toEqual([]);
    await store.recordTurn("conv_d", "alice", turn(1));
    expect(await store.findByDigest("alice", "d1")).toEqual([]);
    expect(await store.findByDigest("alice", "d2")).toEqual(["conv_d"]);
    await store.recordTurn("conv_e", "alice", turn(0, { historyDigest: "d2" }));
    expect(await store.findByDigest("alice", "d2")).toEqual(["conv_e", "conv_d"]);
  });

  it("lists an owner's conversations in pages, both orders", async () => {
    for (const id of ["conv_1", "conv_2", "conv_3"]) await store.create(record(id, { owner: "carol" }), []);
    await store.create(record("conv_other", { owner: "dave" }), []);
    const first = await store.list("carol", { limit: 2, order: "desc" });
    expect(first.data.map((conversation) => conversation.id)).toEqual(["conv_3", "conv_2"]);
    expect(first.hasMore).toBe(true);
    const second = await store.list("carol", { limit: 2, order: "desc", after: "conv_2" });
    expect(second.data.map((conversation) => conversation.id)).toEqual(["conv_1"]);
    expect(second.hasMore).toBe(false);
    const ascending = await store.list("carol", { limit: 10, order: "asc", after: "conv_1" });
    expect(ascending.data.map((conversation) => conversation.id)).toEqual(["conv_2", "conv_3"]);
    expect((await store.list("carol", { limit: 10, order: "asc", after: "conv_other" })).data).toEqual([]);
  });

  it("locks a conversation for one holder until unlocked or expired", async () => {
    expect(await store.tryLock("conv_f", "one", 10_000)).toBe(true);
    expect(await store.tryLock("conv_f", "two", 10_000)).toBe(false);
    await store.unlock("conv_f", "two"); // not the holder: no effect
    expect(await store.tryLock("conv_f", "two", 10_000)).toBe(false);
    await store.unlock("conv_f", "one");
    expect(await store.tryLock("conv_f", "two", 50)).toBe(true);
    await new Promise((resolve) => setTimeout(resolve, 80));
    expect(await store.tryLock("conv_f", "three", 10_000)).toBe(true);
  });

  it("counts what an owner stores: conversations and bytes, through items, trimming, transcripts and deletion", async () => {
    expect(await store.usage("erin")).toEqual({ conversations: 0, bytes: 0 });
    await store.create(record("conv_u1", { owner: "erin" }), [
      { id: "msg_s", role: "user", text: "seed", createdAt: 1 },
    ]);
    const seeded = await store.usage("erin");
    // Both stores count the same: items' texts, transcripts and system prompts, in UTF-8 bytes.
    expect(seeded).toEqual({ conversations: 1, bytes: 4 });
    const sizes: number[] = [];
    for (let revision = 0; revision < 5; revision++) {
      await store.recordTurn("conv_u2", "erin", turn(revision));
      sizes.push((await store.usage("erin")).bytes);
    }
    expect(sizes[0]).toBe(4 + "question 0".length + "answer 0".length + "Be brief.".length);
    // Two items a turn, five kept: once trimming starts, a turn adds what it drops.
    expect(sizes[1]).toBe((sizes[0] ?? 0) + "question 1".length + "answer 1".length);
    expect(sizes[4]).toBe(sizes[3]);
    const before = (await store.usage("erin")).bytes;
    await store.saveTranscript("conv_u2", { revision: 5, sessionId: "s1", offset: 0, text: "ñabc" });
    expect((await store.usage("erin")).bytes).toBe(before + 5); // UTF-8 bytes
    await store.recordTurn("conv_u2", "erin", turn(5));
    const withTurn = (await store.usage("erin")).bytes;
    await store.saveTranscript("conv_u2", { revision: 6, sessionId: "s1", offset: 5, text: "de" });
    expect((await store.usage("erin")).bytes).toBe(withTurn + 2);
    await store.recordTurn("conv_u2", "erin", turn(6));
    const replaced = (await store.usage("erin")).bytes;
    await store.saveTranscript("conv_u2", { revision: 7, sessionId: "s2", offset: 0, text: "x" });
    expect((await store.usage("erin")).bytes).toBe(replaced - 6);
    expect(await store.usage("frank")).toEqual({ conversations: 0, bytes: 0 });
    await store.delete("conv_u1");
    await store.delete("conv_u2");
    expect(await store.usage("erin")).toEqual({ conversations: 0, bytes: 0 });
  });

  it("keeps responses counted exactly, with or without their conversation, and pages their input items", async () => {
    const response = (id: string, conversationId: string, createdAt = 1_700_000_000) => ({
      id,
      owner: "k",
      conversationId,
      revision: 1,
      createdAt,
      body: `{"id":"${id}","text":"réponse"}`,
    });
    const items = Array.from({ length: 5 }, (_, index) => ({
      id: `msg_${index}`,
      json: `{"id":"msg_${index}","n":${index}}`,
    }));
    const bytesOf = (id: string) =>
      Buffer.byteLength(response(id, "").body) + items.reduce((sum, item) => sum + Buffer.byteLength(item.json), 0);
    expect(await store.recordTurn("conv_r", "k", turn(0))).toBe("recorded");
    const before = await store.usage("k");
    await store.putResponse(response("resp_1", "conv_r"), items);
    // A first turn that never got recorded: its response still counts toward its owner.
    await store.putResponse(response("resp_2", "conv_never", 1_600_000_000), items);
    expect(await store.usage("k")).toEqual({
      conversations: before.conversations,
      bytes: before.bytes + 2 * bytesOf("resp_1"),
    });
    expect(await store.getResponse("resp_1")).toEqual(response("resp_1", "conv_r"));
    expect(await store.owners()).toContain("k");

    const asc = await store.responseInputItems("resp_1", { limit: 2, order: "asc" });
    expect(asc).toEqual({ data: items.slice(0, 2), hasMore: true });
    expect(await store.responseInputItems("resp_1", { limit: 2, order: "asc", after: "msg_3" })).toEqual({
      data: [items[4]],
      hasMore: false,
    });
    expect(await store.responseInputItems("resp_1", { limit: 2, order: "desc", after: "msg_3" })).toEqual({
      data: [items[2], items[1]],
      hasMore: true,
    });
    expect(await store.responseInputItems("resp_1", { limit: 2, order: "asc", after: "msg_none" })).toEqual({
      data: [],
      hasMore: false,
    });

    // Deleting gives back exactly what was counted, never more.
    expect(await store.deleteResponse("resp_2")).toBe(true);
    expect(await store.deleteResponse("resp_2")).toBe(false);
    expect((await store.usage("k")).bytes).toBe(before.bytes + bytesOf("resp_1"));
    // Retention expires responses by age; the conversation's go with it.
    await store.putResponse(response("resp_3", "conv_never", 1_600_000_000), items);
    expect(await store.expireResponses("k", 1_650_000_000_000, 10)).toBe(1);
    expect(await store.getResponse("resp_3")).toBeUndefined();
    expect(await store.delete("conv_r")).toBe(true);
    expect(await store.getResponse("resp_1")).toBeUndefined();
    expect(await store.responseInputItems("resp_1", { limit: 10, order: "asc" })).toEqual({ data: [], hasMore: false });
    expect(await store.usage("k")).toEqual({ conversations: 0, bytes: 0 });
    expect(await store.owners()).not.toContain("k");
  });

  it("finds an owner's conversations not advanced since a time, oldest first, with their CLI sessions", async () => {
    const session = "0b7c3f4e-1d2a-4b5c-8d9e-0f1a2b3c4d5e";
    // The stores read the clock when they write: the test moves it (only Date; timers stay real).
    vi.useFakeTimers({ toFake: ["Date"] });
    onTestFinished(() => {
      vi.useRealTimers();
    });
    const start = Date.now();
    await store.create(record("conv_old", { owner: "gina" }), []);
    vi.setSystemTime(start + 10);
    await store.recordTurn("conv_new", "gina", turn(0, { sessionId: session }));
    await store.create(record("conv_hers", { owner: "hal" }), []);
    const later = start + 20;
    vi.setSystemTime(later + 10);
    expect(await store.stale("gina", later, 10)).toEqual([
      { id: "conv_old", revision: 0, sessionIds: [] },
      { id: "conv_new", revision: 1, sessionIds: [session] },
    ]);
    expect(await store.stale("gina", later, 1)).toEqual([{ id: "conv_old", revision: 0, sessionIds: [] }]);
    expect((await store.owners()).sort()).toEqual(["gina", "hal"]);
    // A turn advances a conversation: it is no longer stale as of before it.
    await store.recordTurn("conv_old", "gina", turn(0));
    expect((await store.stale("gina", later, 10)).map((stale) => stale.id)).toEqual(["conv_new"]);
    await store.delete("conv_hers");
    expect(await store.owners()).toEqual(["gina"]);
  });

  it("keeps data across reopening", async () => {
    const address = url();
    const prefix = `reopen${++counter}:`;
    const first = openConversationStore(address, prefix, { maxItems: 5 });
    await first.recordTurn("conv_g", "", turn(0));
    await first.saveTranscript("conv_g", { revision: 1, sessionId: "session-1", offset: 0, text: "line 0\n" });
    await first.close();
    const second = openConversationStore(address, prefix, { maxItems: 5 });
    expect(await second.get("conv_g")).toMatchObject({ revision: 1, sessionId: "session-1", transcriptRevision: 1 });
    expect(await second.transcript("conv_g")).toBe("line 0\n");
    await second.close();
  });
});

describe("a Redis store written before quotas", () => {
  it("counts its earlier records once, when first used", async () => {
    const prefix = `before${++counter}:`;
    const raw = new Redis(redis.url);
    const old = {
      id: "conv_y",
      owner: "jo",
      createdAt: 1,
      metadata: {},
      model: null,
      systemPrompt: "Sé breve.",
      sessionId: null,
      revision: 1,
      historyDigest: "d",
      transcriptSessionId: null,
      transcriptRevision: 0,
      sequence: 1,
    };
    await raw
      .multi()
      .set(`${prefix}conversation:conv_y`, JSON.stringify(old))
      .set(`${prefix}transcript:conv_y`, "transcript")
      .rpush(`${prefix}items:conv_y`, JSON.stringify({ id: "msg_1", role: "user", text: 'hé"llo', createdAt: 1 }))
      .zadd(`${prefix}conversations:jo`, 1, "conv_y")
      .zadd(`${prefix}digest:jo:d`, 5_000, "conv_y")
      .exec();
    await raw.quit();
    const expected = "transcript".length + Buffer.byteLength("Sé breve.") + Buffer.byteLength('hé"llo');
    for (let opening = 0; opening < 2; opening++) {
      const store = openConversationStore(redis.url, prefix, { maxItems: 5 });
      expect(await store.usage("jo")).toEqual({ conversations: 1, bytes: expected });
      expect(await store.owners()).toEqual(["jo"]);
      expect(await store.stale("jo", 5_001, 10)).toEqual([{ id: "conv_y", revision: 1, sessionIds: [] }]);
      await store.close();
    }
  });
});

describe("a SQLite store made before quotas", () => {
  it("counts the bytes it already holds when opened", async () => {
    const path = join(directory, "before-quotas.sqlite");
    const old = new Database(path);
    old.exec(`CREATE TABLE conversations (seq INTEGER PRIMARY KEY AUTOINCREMENT, id TEXT NOT NULL UNIQUE,
      owner TEXT NOT NULL, created_at INTEGER NOT NULL, metadata TEXT NOT NULL, model TEXT, system_prompt TEXT,
      session_id TEXT, revision INTEGER NOT NULL, history_digest TEXT NOT NULL, advanced_at INTEGER NOT NULL,
      transcript_session_id TEXT, transcript_revision INTEGER NOT NULL DEFAULT 0, transcript TEXT NOT NULL DEFAULT '');
      CREATE TABLE items (seq INTEGER PRIMARY KEY AUTOINCREMENT, conversation_id TEXT NOT NULL, id TEXT NOT NULL,
      role TEXT NOT NULL, text TEXT NOT NULL, created_at INTEGER NOT NULL);
      INSERT INTO conversations (id, owner, created_at, metadata, revision, history_digest, advanced_at, transcript,
        system_prompt) VALUES ('conv_x', 'ida', 1, '{}', 1, 'd', 1, 'transcript', 'Be brief.');
      INSERT INTO items (conversation_id, id, role, text, created_at) VALUES ('conv_x', 'msg_1', 'user', 'héllo', 1);`);
    old.close();
    const store = openConversationStore(`sqlite:${path}`, "", { maxItems: 5 });
    expect(await store.usage("ida")).toEqual({
      conversations: 1,
      bytes: "transcript".length + "Be brief.".length + Buffer.byteLength("héllo"),
    });
    expect(await store.stale("ida", 2, 10)).toEqual([{ id: "conv_x", revision: 1, sessionIds: [] }]);
    await store.close();
  });
});

describe("an unreachable store", () => {
  it("makes the gateway not ready and its conversations answer 503 store_unavailable", async () => {
    const down = await startRedisServer();
    const url = down.url;
    await down.close();
    const test = await startTestGateway({ store: { url } });
    try {
      const ready = await fetch(`${test.url}/health/ready`);
      expect(ready.status).toBe(503);
      expect(((await ready.json()) as { store: string }).store).toBe("unavailable");
      const response = await test.post({ model: "sonnet", messages: [{ role: "user", content: "hi" }] });
      expect(response.status).toBe(503);
      expect(((await response.json()) as { error: { code: string } }).error.code).toBe("store_unavailable");
    } finally {
      await test.close();
    }
  });

  it("fails requests with 503 store_unavailable instead of hanging or leaking internals", async () => {
    const down = await startRedisServer();
    const url = down.url;
    await down.close();
    const store = openConversationStore(url, "down:", { maxItems: 5 });
    try {
      await expect(store.get("conv_x")).rejects.toMatchObject({ status: 503, code: "store_unavailable" });
    } finally {
      await store.close();
    }
  });
});
