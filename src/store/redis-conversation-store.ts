/**
 * The shared store: several gateway instances behind a load balancer keep their conversations —
 * CLI session transcripts included — in one Redis, so any instance can resume any conversation.
 *
 * Keys (all under the configured prefix):
 *   conversation:<id>          the record as JSON (optimistic updates with WATCH)
 *   transcript:<id>            the CLI session transcript (APPENDed as the CLI flushes it)
 *   items:<id>                 list of item JSON, trimmed to the newest maxItems
 *   conversations:<owner>      sorted set of ids by creation sequence (listing, pagination)
 *   advanced:<owner>           sorted set of ids by last advance, Unix ms (retention)
 *   usage:<owner>              bytes of items, transcripts and system prompts stored (quotas)
 *   owners                     set of owners with conversations
 *   accounting                 "1" once records written before usage was counted are counted
 *   digest:<owner>:<digest>    sorted set of ids whose history has that digest, by last advance
 *   lock:<id>                  the holder of the conversation's current turn (lockScript)
 *   response…:<id>, responses…     Responses API responses and their input items (redis-responses.ts)
 *   sequence                   creation counter
 */
import type { Redis } from "ioredis";
import type {
  ConversationItem,
  ConversationRecord,
  ConversationStore,
  Page,
  PageRequest,
  RecordedTurn,
  StaleConversation,
  StoredInputItem,
  StoredResponse,
  StoredUsage,
  StoreLimits,
  TranscriptUpdate,
} from "./conversation-store.js";
import { sessionIdsOf } from "./conversation-store.js";
import { closeRedisClient, openRedisClient } from "./open-redis-client.js";
import { deleteResponse, expireResponses, getResponse, putResponse, responseInputItems } from "./redis-responses.js";
import {
  backfillScript,
  deleteScript,
  lockScript,
  recordTurnScript,
  saveTranscriptScript,
  unlockScript,
  updateMetadataScript,
} from "./redis-scripts.js";

/** `storedBytes`: the conversation's share of `usage:<owner>`, given back when it is deleted. */
type StoredRecord = Omit<ConversationRecord, "transcriptLength"> & { sequence: number; storedBytes?: number };

export class RedisConversationStore implements ConversationStore {
  private readonly redis: Redis;
  private counting: Promise<void> | undefined;

  constructor(
    url: string,
    private readonly prefix: string,
    private readonly limits: StoreLimits,
  ) {
    this.redis = openRedisClient(url);
  }

  async create(record: ConversationRecord, items: ConversationItem[]): Promise<void> {
    await this.counted();
    const sequence = await this.redis.incr(this.key("sequence"));
    const { transcriptLength: _, ...stored } = record;
    // Like a turn's items, only the newest maxItems are kept.
    const keptItems = items.slice(-this.limits.maxItems);
    const kept = keptItems.map((item) => JSON.stringify(item));
    const storedBytes =
      keptItems.reduce((sum, item) => sum + Buffer.byteLength(item.text), 0) +
      Buffer.byteLength(record.systemPrompt ?? "");
    const now = Date.now();
    const transaction = this.redis
      .multi()
      .set(this.key("conversation", record.id), JSON.stringify({ ...stored, sequence, storedBytes }))
      .zadd(this.key("conversations", record.owner), sequence, record.id)
      .zadd(this.key("advanced", record.owner), now, record.id)
      .sadd(this.key("owners"), record.owner)
      .incrby(this.key("usage", record.owner), storedBytes)
      .zadd(this.key("digest", record.owner, record.historyDigest), now, record.id);
    if (kept.length > 0) transaction.rpush(this.key("items", record.id), ...kept);
    await transaction.exec();
  }

  async get(id: string): Promise<ConversationRecord | undefined> {
    const [[, json], [, length]] = (await this.redis
      .multi()
      .get(this.key("conversation", id))
      .strlen(this.key("transcript", id))
      .exec()) as [[null, string | null], [null, number]];
    return json === null ? undefined : toRecord(JSON.parse(json) as StoredRecord, length);
  }

  async updateMetadata(id: string, metadata: Record<string, string>): Promise<ConversationRecord | undefined> {
    const updated = await this.redis.eval(updateMetadataScript, 0, this.prefix, id, JSON.stringify(metadata));
    return updated === 1 ? this.get(id) : undefined;
  }

  async putResponse(response: StoredResponse, inputItems: readonly StoredInputItem[]): Promise<void> {
    await this.counted();
    await putResponse(this.redis, this.prefix, response, inputItems);
  }

  getResponse(id: string): Promise<StoredResponse | undefined> {
    return getResponse(this.redis, this.prefix, id);
  }

  responseInputItems(id: string, page: PageRequest): Promise<Page<StoredInputItem>> {
    return responseInputItems(this.redis, this.prefix, id, page);
  }

  async deleteResponse(id: string): Promise<boolean> {
    await this.counted();
    return deleteResponse(this.redis, this.prefix, id);
  }

  async expireResponses(owner: string, before: number, limit: number): Promise<number> {
    await this.counted();
    return expireResponses(this.redis, this.prefix, owner, before, limit);
  }

  async delete(id: string): Promise<boolean> {
    await this.counted();
    return (await this.redis.eval(deleteScript, 0, this.prefix, id)) === 1;
  }

  async list(owner: string, page: PageRequest): Promise<Page<ConversationRecord>> {
    const index = this.key("conversations", owner);
    let bound = page.order === "asc" ? "-inf" : "+inf";
    if (page.after !== undefined) {
      const score = await this.redis.zscore(index, page.after);
      if (score === null) return { data: [], hasMore: false };
      bound = `(${score}`;
    }
    const ids =
      page.order === "asc"
        ? await this.redis.zrangebyscore(index, bound, "+inf", "LIMIT", 0, page.limit + 1)
        : await this.redis.zrevrangebyscore(index, bound, "-inf", "LIMIT", 0, page.limit + 1);
    const records = await Promise.all(ids.slice(0, page.limit).map((id) => this.get(id)));
    return {
      data: records.filter((record): record is ConversationRecord => record !== undefined),
      hasMore: ids.length > page.limit,
    };
  }

  async usage(owner: string): Promise<StoredUsage> {
    await this.counted();
    const [[, conversations], [, bytes]] = (await this.redis
      .multi()
      .zcard(this.key("conversations", owner))
      .get(this.key("usage", owner))
      .exec()) as [[null, number], [null, string | null]];
    return { conversations, bytes: Number(bytes ?? 0) };
  }

  async owners(): Promise<string[]> {
    await this.counted();
    return this.redis.smembers(this.key("owners"));
  }

  async stale(owner: string, before: number, limit: number): Promise<StaleConversation[]> {
    await this.counted();
    const ids = await this.redis.zrangebyscore(this.key("advanced", owner), "-inf", `(${before}`, "LIMIT", 0, limit);
    const records = await Promise.all(ids.map((id) => this.get(id)));
    return records
      .filter((record): record is ConversationRecord => record !== undefined)
      .map((record) => ({ id: record.id, revision: record.revision, sessionIds: sessionIdsOf(record) }));
  }

  async items(id: string): Promise<ConversationItem[]> {
    const items = await this.redis.lrange(this.key("items", id), 0, -1);
    return items.map((item) => JSON.parse(item) as ConversationItem);
  }

  async findByDigest(owner: string, digest: string): Promise<string[]> {
    return this.redis.zrevrange(this.key("digest", owner, digest), 0, 9);
  }

  async recordTurn(id: string, owner: string, turn: RecordedTurn): Promise<"recorded" | "conflict"> {
    await this.counted();
    const arguments_ = {
      id,
      owner,
      expectedRevision: turn.expectedRevision,
      model: turn.model,
      systemPrompt: turn.systemPrompt,
      sessionId: turn.sessionId,
      historyDigest: turn.historyDigest,
      items: turn.items.map((item) => JSON.stringify(item)),
      now: Date.now(),
      maxItems: this.limits.maxItems,
    };
    const recorded = await this.redis.eval(recordTurnScript, 0, this.prefix, JSON.stringify(arguments_));
    return recorded === 1 ? "recorded" : "conflict";
  }

  async saveTranscript(id: string, update: TranscriptUpdate): Promise<boolean> {
    await this.counted();
    const { text, ...position } = update;
    const saved = await this.redis.eval(saveTranscriptScript, 0, this.prefix, id, JSON.stringify(position), text);
    return saved === 1;
  }

  async transcript(id: string): Promise<string | undefined> {
    const [[, exists], [, text]] = (await this.redis
      .multi()
      .exists(this.key("conversation", id))
      .get(this.key("transcript", id))
      .exec()) as [[null, number], [null, string | null]];
    return exists ? (text ?? "") : undefined;
  }

  async tryLock(id: string, holder: string, ttlMs: number): Promise<boolean> {
    return (await this.redis.eval(lockScript, 1, this.key("lock", id), holder, Math.ceil(ttlMs), this.prefix)) === 1;
  }

  async unlock(id: string, holder: string): Promise<void> {
    await this.redis.eval(unlockScript, 1, this.key("lock", id), holder);
  }

  async close(): Promise<void> {
    await closeRedisClient(this.redis);
  }

  /**
   * Records written before usage was counted are counted once (backfillScript), before anything
   * that reads or changes usage; a failure (Redis unreachable) is tried again by the next call.
   */
  private counted(): Promise<void> {
    this.counting ??= this.countEarlierRecords().catch((error: unknown) => {
      this.counting = undefined;
      throw error;
    });
    return this.counting;
  }

  private async countEarlierRecords(): Promise<void> {
    const done = this.key("accounting");
    if ((await this.redis.get(done)) === "1") return;
    let cursor = "0";
    do {
      const [next, keys] = await this.redis.scan(cursor, "MATCH", `${this.key("conversation")}:*`, "COUNT", 500);
      for (const key of keys) {
        await this.redis.eval(backfillScript, 0, this.prefix, key.slice(this.key("conversation").length + 1));
      }
      cursor = next;
    } while (cursor !== "0");
    await this.redis.set(done, "1");
  }

  private key(...parts: string[]): string {
    return this.prefix + parts.join(":");
  }
}

function toRecord(stored: StoredRecord, transcriptLength: number): ConversationRecord {
  const { sequence: _, storedBytes: __, ...record } = stored;
  return {
    ...record,
    transcriptSessionId: record.transcriptSessionId ?? null,
    transcriptRevision: record.transcriptRevision ?? 0,
    transcriptLength,
  };
}
