import { describe, expect, it } from "vitest";
import type { ConversationStore, StoredUsage } from "../store/conversation-store.js";
import { StorageQuota } from "./storage-quota.js";

function storeWith(usage: StoredUsage): ConversationStore {
  return { usage: async () => usage } as unknown as ConversationStore;
}

const limits = { maxConversations: 2, maxStoredBytes: 100, retentionDays: 30 };
const text = (bytes: number) => [{ role: "user" as const, text: "x".repeat(bytes) }];

describe("StorageQuota", () => {
  it("holds what admitted turns will store until they give it back, so turns at once cannot all fit", async () => {
    // Replayed text is held at its JSON-escaped size (quotes included): 30 characters, 32 bytes.
    const quota = new StorageQuota(storeWith({ conversations: 0, bytes: 40 }));
    const first = await quota.reserve("a", limits, { newConversation: true, entries: [], replayed: text(30) });
    await expect(
      quota.reserve("a", limits, { newConversation: false, entries: [], replayed: text(31) }),
    ).rejects.toMatchObject({
      status: 429,
      type: "insufficient_quota",
      code: "quota_exceeded",
      retryable: false,
    });
    // Another owner has a quota of its own.
    await quota.reserve("b", limits, { newConversation: false, entries: [], replayed: text(58) });
    first();
    first(); // idempotent: given back once
    const again = await quota.reserve("a", limits, { newConversation: false, entries: [], replayed: text(58) });
    await expect(
      quota.reserve("a", limits, { newConversation: false, entries: [], replayed: text(1) }),
    ).rejects.toThrow(/max_stored_mb_per_key/);
    again();
  });

  it("counts conversations being started against the conversation quota", async () => {
    const quota = new StorageQuota(storeWith({ conversations: 1, bytes: 0 }));
    const starting = await quota.reserve("a", limits, { newConversation: true, entries: [] });
    await expect(quota.reserve("a", limits, { newConversation: true, entries: [] })).rejects.toThrow(
      /quota of 2 conversations \(conversation\.max_conversations_per_key\)/,
    );
    // Continuing what exists needs no new conversation.
    (await quota.reserve("a", limits, { newConversation: false, entries: [] }))();
    starting();
    (await quota.reserve("a", limits, { newConversation: true, entries: [] }))();
  });

  it("gives a new conversation's place back once the store counts it, its bytes only once stored", async () => {
    const stored = { conversations: 1, bytes: 0 };
    const quota = new StorageQuota(storeWith(stored));
    const starting = await quota.reserve("a", limits, { newConversation: true, entries: text(1) });
    stored.conversations = 2; // the turn is recorded
    starting.recorded();
    stored.conversations = 1; // another conversation deleted meanwhile: room for one more
    const next = await quota.reserve("a", limits, { newConversation: true, entries: [] });
    next();
    starting();
  });

  it("holds a message as stored: its text as an item, and JSON-escaped in the transcript; a system prompt once (ñ: 2 bytes)", async () => {
    const quota = new StorageQuota(storeWith({ conversations: 0, bytes: 0 }));
    // "é" is 2 bytes; "\u0001" is 1 byte and escapes to 6: 2 + 1 text bytes, 2 + 6 + 2 escaped.
    const entries = [{ role: "user" as const, text: "é\u0001" }];
    (await quota.reserve("a", { ...limits, maxStoredBytes: 13 }, { newConversation: false, entries }))();
    await expect(
      quota.reserve("a", { ...limits, maxStoredBytes: 12 }, { newConversation: false, entries }),
    ).rejects.toThrow(/quota/);
    (
      await quota.reserve(
        "a",
        { ...limits, maxStoredBytes: 5 },
        { newConversation: true, entries: [], systemPrompt: "ñañ" },
      )
    )();
    await expect(
      quota.reserve(
        "a",
        { ...limits, maxStoredBytes: 5 },
        { newConversation: true, entries: [], systemPrompt: "ñañ!" },
      ),
    ).rejects.toThrow(/quota/);
  });
});
