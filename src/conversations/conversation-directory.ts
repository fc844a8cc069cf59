/**
 * The conversations an owner can see and manage (the Conversations API): every lookup is scoped
 * to the owner, and an id that is malformed, unknown or someone else's is simply not found.
 */

import type { StorageLimits } from "../auth/caller.js";
import type { ProcessPool } from "../pool/process-pool.js";
import type { SessionFiles } from "../rooms/session-files.js";
import {
  type ConversationItem,
  type ConversationRecord,
  type ConversationStore,
  type Page,
  type PageRequest,
  pageOf,
  sessionIdsOf,
} from "../store/conversation-store.js";
import { conversationNotFound } from "./conversation-errors.js";
import { isConversationId, newConversationId, newItemId } from "./conversation-ids.js";
import { type LockTiming, lockHolder, waitForLock } from "./conversation-lock.js";
import { extendDigest, type HistoryEntry, historyRoot } from "./history-digest.js";
import { type StorageQuota, tooManyItems } from "./storage-quota.js";

export interface NewConversation {
  metadata: Record<string, string>;
  model: string | null;
  /** Initial messages: the context of the conversation's first turn. */
  items: Array<HistoryEntry & { role: "user" | "assistant" }>;
}

export class ConversationDirectory {
  constructor(
    private readonly store: ConversationStore,
    private readonly pool: ProcessPool,
    private readonly timing: LockTiming,
    /** The CLI's files of a conversation's sessions, removed with it. */
    private readonly sessionFiles: SessionFiles,
    /** Items a conversation keeps (conversation.max_history_messages). */
    private readonly maxItems: number,
    private readonly quota: StorageQuota,
  ) {}

  async create(owner: string, storage: StorageLimits, conversation: NewConversation): Promise<ConversationRecord> {
    if (conversation.items.length > this.maxItems) throw tooManyItems(conversation.items.length, this.maxItems);
    const reservation = await this.quota.reserve(owner, storage, {
      newConversation: true,
      entries: conversation.items,
    });
    const createdAt = Math.floor(Date.now() / 1000);
    const items: ConversationItem[] = conversation.items.map((item) => ({
      id: newItemId(),
      role: item.role,
      text: item.text,
      createdAt,
    }));
    const record: ConversationRecord = {
      id: newConversationId(),
      owner,
      createdAt,
      metadata: conversation.metadata,
      model: conversation.model,
      systemPrompt: null,
      sessionId: null,
      revision: 0,
      historyDigest: extendDigest(historyRoot(owner, ""), conversation.items),
      transcriptSessionId: null,
      transcriptRevision: 0,
      transcriptLength: 0,
    };
    try {
      await this.store.create(record, items);
    } finally {
      reservation();
    }
    return record;
  }

  async get(owner: string, id: string): Promise<ConversationRecord> {
    const record = isConversationId(id) ? await this.store.get(id) : undefined;
    if (!record || record.owner !== owner) throw conversationNotFound(id, null);
    return record;
  }

  async updateMetadata(owner: string, id: string, metadata: Record<string, string>): Promise<ConversationRecord> {
    await this.get(owner, id);
    const updated = await this.store.updateMetadata(id, metadata);
    if (!updated) throw conversationNotFound(id, null);
    return updated;
  }

  /**
   * Waits for a running turn to end, then deletes the record, its items and stored transcript; the
   * process holding the session is cleared and the CLI's files of its sessions removed.
   */
  async delete(owner: string, id: string): Promise<void> {
    await this.get(owner, id);
    await waitForLock(this.store, id, lockHolder(this.timing.instanceId), this.timing);
    // Read again under the lock: the turn that just ended may have moved it to another session.
    const record = await this.store.get(id);
    const deleted = await this.store.delete(id);
    await this.pool.forget(id); // its process lets go first: clearing it still writes to the transcript
    if (!deleted || !record) throw conversationNotFound(id, null);
    await this.sessionFiles.remove(owner, sessionIdsOf(record));
  }

  list(owner: string, page: PageRequest): Promise<Page<ConversationRecord>> {
    return this.store.list(owner, page);
  }

  async items(owner: string, id: string, page: PageRequest): Promise<Page<ConversationItem>> {
    await this.get(owner, id);
    return pageOf(await this.store.items(id), page, (item) => item.id);
  }
}
