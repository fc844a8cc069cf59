/**
 * One turn (or a delete) at a time per conversation, across instances: a lease in the store with a
 * holder id of this process, waited for up to `busyWaitMs`, then `409 conversation_busy`.
 */
import { randomBytes } from "node:crypto";
import type { ConversationStore } from "../store/conversation-store.js";
import { conversationBusy } from "./conversation-errors.js";

export interface LockTiming {
  busyWaitMs: number;
  /** A lock outlives a crashed holder by at most this long. */
  lockTtlMs: number;
  /**
   * This instance's id, which starts its holders' names: a lock whose instance is gone (see
   * instance-registry.ts) is taken over at once instead of after `lockTtlMs`.
   */
  instanceId?: string;
}

export function lockHolder(instanceId?: string): string {
  return `${instanceId ?? process.pid}:${randomBytes(8).toString("hex")}`;
}

export async function waitForLock(
  store: ConversationStore,
  id: string,
  holder: string,
  timing: LockTiming,
  signal?: AbortSignal,
): Promise<void> {
  const deadline = Date.now() + timing.busyWaitMs;
  for (;;) {
    if (await store.tryLock(id, holder, timing.lockTtlMs)) return;
    signal?.throwIfAborted();
    if (Date.now() >= deadline) throw conversationBusy(id);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}
