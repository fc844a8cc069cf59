/**
 * Where the work a client comes back to lives: a turn waiting for its tool results (by call id, and
 * by conversation) and a live session. Each is held in the memory of one instance — its CLI process
 * is there — so a request for it that lands elsewhere must be sent on to that instance.
 *
 * Keys (under the store's prefix) carry the owner, so another key's lookup finds nothing:
 *   waiting:<owner>:<call id>                  the instance whose turn waits for that call's result
 *   waiting-conversation:<owner>:<conversation> the instance whose turn of that conversation waits
 *   session:<owner>:<session id>               the instance running that live session
 * A record is removed by the instance that wrote it, and only while it is still its own.
 */
import type { Redis } from "ioredis";
import type { InstanceRecord, InstanceRegistry } from "./instance-registry.js";

export type WorkLocation =
  | { kind: "here" }
  /** No instance holds it: it never was, or it ended. */
  | { kind: "nowhere" }
  | { kind: "elsewhere"; instance: InstanceRecord }
  /** The instance that held it is gone (or draining): it is lost with that instance. */
  | { kind: "gone" };

/** Deletes a key only while it still names this instance. */
const removeOwnScript = `
for i, key in ipairs(KEYS) do
  if redis.call("GET", key) == ARGV[1] then redis.call("DEL", key) end
end
return 1`;

/** Sessions end by DELETE, idle timeout or shutdown; a record its instance never removed goes within a week. */
const sessionRecordMs = 7 * 24 * 3600_000;

export class WorkLocations {
  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
    private readonly registry: InstanceRegistry,
  ) {}

  async turnWaiting(owner: string, callIds: string[], conversationId: string | undefined, ttlMs: number) {
    const multi = this.redis.multi();
    for (const key of this.turnKeys(owner, callIds, conversationId)) {
      multi.set(key, this.registry.id, "PX", Math.max(1, Math.ceil(ttlMs)));
    }
    await multi.exec();
  }

  async turnEnded(owner: string, callIds: string[], conversationId: string | undefined) {
    const keys = this.turnKeys(owner, callIds, conversationId);
    await this.redis.eval(removeOwnScript, keys.length, ...keys, this.registry.id);
  }

  /** The instance whose turn waits for any of these calls' results. */
  async waitingTurn(owner: string, callIds: string[]): Promise<WorkLocation> {
    if (callIds.length === 0) return { kind: "nowhere" };
    const holders = await this.redis.mget(...callIds.map((id) => this.key("waiting", owner, id)));
    return this.resolve(holders.find((holder) => holder !== null) ?? undefined);
  }

  /** The instance where a turn of this conversation waits for tool results. */
  async waitingConversation(owner: string, conversationId: string): Promise<WorkLocation> {
    return this.resolve((await this.redis.get(this.key("waiting-conversation", owner, conversationId))) ?? undefined);
  }

  async sessionStarted(owner: string, id: string): Promise<void> {
    await this.redis.set(this.key("session", owner, id), this.registry.id, "PX", sessionRecordMs);
  }

  async sessionEnded(owner: string, id: string): Promise<void> {
    await this.redis.eval(removeOwnScript, 1, this.key("session", owner, id), this.registry.id);
  }

  /**
   * Where the session runs. A record of an instance that looks gone stays: one that was only
   * frozen or cut off for a while comes back with its sessions (its owner or the TTL removes it).
   */
  async session(owner: string, id: string): Promise<WorkLocation> {
    return this.resolve((await this.redis.get(this.key("session", owner, id))) ?? undefined);
  }

  private async resolve(instanceId: string | undefined): Promise<WorkLocation> {
    if (instanceId === undefined) return { kind: "nowhere" };
    if (instanceId === this.registry.id) return { kind: "here" };
    const instance = await this.registry.get(instanceId);
    return instance && !instance.draining ? { kind: "elsewhere", instance } : { kind: "gone" };
  }

  private turnKeys(owner: string, callIds: string[], conversationId: string | undefined): string[] {
    const keys = callIds.map((id) => this.key("waiting", owner, id));
    if (conversationId) keys.push(this.key("waiting-conversation", owner, conversationId));
    return keys;
  }

  private key(kind: string, owner: string, id: string): string {
    return `${this.prefix}${kind}:${owner}:${id}`;
  }
}
