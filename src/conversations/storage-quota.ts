/**
 * A key's storage quotas, checked before a turn runs or a conversation is created — so a refused
 * request writes nothing and spends no tokens. What an admitted turn will store is reserved until
 * it is stored (its transcript copied) or the turn ends without it, so requests running at once
 * cannot all slip in under the same usage. A turn admitted under the quota is stored whole: a key
 * goes over by at most its answers and what the CLI adds to its transcript, and is then refused
 * until conversations are deleted or expire. Reservations are per instance (unlike the per-key
 * request limits, which a Redis store shares): instances sharing a store each admit their own
 * turns in flight.
 */
import type { StorageLimits } from "../auth/caller.js";
import { GatewayError } from "../errors.js";
import type { ConversationStore, StoredUsage } from "../store/conversation-store.js";
import type { HistoryEntry } from "./history-digest.js";

export interface StorageDemand {
  /** The request starts a conversation. */
  newConversation: boolean;
  /** Messages stored as items and, JSON-escaped, in the CLI transcript. */
  entries: readonly HistoryEntry[];
  /** Messages only the transcript holds: earlier messages replayed as text, client tool results. */
  replayed?: readonly HistoryEntry[];
  /** A system prompt the conversation will keep. */
  systemPrompt?: string | null;
  /** Bytes stored as they are (a Responses API response and its input items). */
  bytes?: number;
}

/** What a demand will store: an item's text plus its JSON-escaped copy in the transcript. */
function demandedBytes(demand: StorageDemand): number {
  const escaped = (entry: HistoryEntry) => Buffer.byteLength(JSON.stringify(entry.text));
  let bytes = Buffer.byteLength(demand.systemPrompt ?? "") + (demand.bytes ?? 0);
  for (const entry of demand.entries) bytes += Buffer.byteLength(entry.text) + escaped(entry);
  for (const entry of demand.replayed ?? []) bytes += escaped(entry);
  return bytes;
}

/**
 * Given back once what it reserved is stored, or will not be (idempotent). `recorded()`: the new
 * conversation it holds a place for is in the store now and counts there — its place is given
 * back at once, while the bytes stay held until the transcript copy is stored too.
 */
export type Reservation = (() => void) & { recorded(): void };
export class StorageQuota {
  private readonly reserved = new Map<string, StoredUsage>();

  constructor(private readonly store: ConversationStore) {}

  /** Reserves the demand, or throws 429 quota_exceeded naming the quota it would break. */
  async reserve(owner: string, limits: StorageLimits, demand: StorageDemand): Promise<Reservation> {
    const stored = await this.store.usage(owner);
    // From here to the reservation nothing awaits: requests of one owner are checked one at a time.
    const held = this.reserved.get(owner) ?? { conversations: 0, bytes: 0 };
    const conversations = stored.conversations + held.conversations;
    if (demand.newConversation && conversations >= limits.maxConversations) {
      throw quotaExceeded(
        `This API key has reached its quota of ${limits.maxConversations} conversations (conversation.max_conversations_per_key)`,
      );
    }
    const bytes = demandedBytes(demand);
    const used = stored.bytes + held.bytes;
    if (used + bytes > limits.maxStoredBytes) {
      throw quotaExceeded(
        `This API key's conversations take ${megabytes(used)} MB (turns in progress included)${bytes > 0 ? ` and this request would add ${megabytes(bytes)} MB` : ""}; its quota is ${megabytes(limits.maxStoredBytes)} MB (conversation.max_stored_mb_per_key)`,
      );
    }
    let place = demand.newConversation ? 1 : 0;
    this.adjust(owner, { conversations: place, bytes }, 1);
    let released = false;
    const release = () => {
      if (released) return;
      released = true;
      this.adjust(owner, { conversations: place, bytes }, -1);
    };
    return Object.assign(release, {
      recorded: () => {
        if (released || place === 0) return;
        this.adjust(owner, { conversations: place, bytes: 0 }, -1);
        place = 0;
      },
    });
  }

  private adjust(owner: string, share: StoredUsage, sign: 1 | -1): void {
    const held = this.reserved.get(owner) ?? { conversations: 0, bytes: 0 };
    const next = {
      conversations: held.conversations + sign * share.conversations,
      bytes: held.bytes + sign * share.bytes,
    };
    if (next.conversations === 0 && next.bytes === 0) this.reserved.delete(owner);
    else this.reserved.set(owner, next);
  }
}

/** Items beyond what a conversation keeps (conversation.max_history_messages) in one request. */
export function tooManyItems(count: number, maxItems: number): GatewayError {
  return new GatewayError(
    `A conversation keeps at most ${maxItems} items (conversation.max_history_messages); this request has ${count}.`,
    { status: 400, type: "invalid_request_error", param: "items", code: "quota_exceeded", retryable: false },
  );
}

function quotaExceeded(what: string): GatewayError {
  return new GatewayError(
    `${what}. Delete conversations you no longer need (DELETE /v1/conversations/{id}); conversations not continued for the retention period expire on their own.`,
    { status: 429, type: "insufficient_quota", code: "quota_exceeded", param: null, retryable: false },
  );
}

const megabytes = (bytes: number) => (bytes / (1024 * 1024)).toFixed(1);
