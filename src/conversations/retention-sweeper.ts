/**
 * Retention: every hour, the conversations an owner has not continued for its retention period
 * (conversation.retention_days, or its key's own) are deleted — record, items and stored
 * transcript in one store step, then the CLI's files of their sessions — and the CLI's session
 * files are swept by age (see sessionFileMaxAgeMs), so nothing the gateway made stays forever.
 * A conversation busy with a turn is left for the next sweep. `sweep(now)` takes the clock as an
 * argument, so tests can move it.
 */

import type { Caller } from "../auth/caller.js";
import type { Room } from "../claude/launch-profile.js";
import type { Logger } from "../observability/logger.js";
import type { SessionFiles } from "../rooms/session-files.js";
import type { ConversationStore } from "../store/conversation-store.js";
import { lockHolder } from "./conversation-lock.js";

export interface RetentionPolicy {
  /** Days `owner`'s conversations are kept after their last turn; 0: until deleted. */
  retentionDays(owner: string): number;
  /** Every room. */
  rooms(): Array<{ room: Room }>;
}

/**
 * Each caller's own retention (its auth.keys entry, else conversation.retention_days); owners no
 * key names any more get the default.
 */
export function retentionPolicy(
  callers: readonly Caller[],
  defaultDays: number,
  rooms: () => Array<{ room: Room }>,
): RetentionPolicy {
  const days = new Map(callers.map((caller) => [caller.owner, caller.storage.retentionDays]));
  return { retentionDays: (owner) => days.get(owner) ?? defaultDays, rooms };
}

export interface SweepResult {
  conversations: number;
  /** Responses API responses kept longer than the period (a conversation's go with it too). */
  responses: number;
  files: number;
}

const day = 24 * 60 * 60 * 1000;
const batch = 100;

/**
 * The CLI's session files are swept once untouched for a day, whatever the retention: the store
 * holds every conversation's transcript and a resume writes it back, so a file is needed only
 * while a process works on its session. Not sooner: a warm process may still append to it (it is
 * let go after conversation.session_timeout_minutes), and a file it re-created holding only the
 * newest lines would be copied over the stored transcript.
 */
const sessionFileMaxAgeMs = day;

export class RetentionSweeper {
  private timer: NodeJS.Timeout | undefined;
  private queue: Promise<unknown> = Promise.resolve();
  private stopped = false;

  constructor(
    private readonly store: ConversationStore,
    private readonly files: SessionFiles,
    private readonly policy: RetentionPolicy,
    /** Lets go of a deleted conversation's process (the pool). */
    private readonly forget: (conversationId: string) => Promise<void>,
    private readonly logger: Logger,
  ) {}

  /** The first sweep a minute after start-up (a gateway restarted often still sweeps), then every `intervalMs`. */
  start(intervalMs = 60 * 60 * 1000): void {
    const sweep = (next: number) => {
      this.timer = setTimeout(() => {
        void this.sweep().finally(() => {
          if (!this.stopped) sweep(intervalMs);
        });
      }, next);
      this.timer.unref();
    };
    sweep(60_000);
  }

  /** Waits for the sweeps asked for; no new one starts on its own. */
  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.queue;
  }

  /** One sweep as of `now`, after any sweep still running (two never overlap). */
  sweep(now = Date.now()): Promise<SweepResult> {
    const result = this.queue.then(() => this.sweepAll(now));
    this.queue = result.catch(() => {});
    return result;
  }

  private async sweepAll(now: number): Promise<SweepResult> {
    const result: SweepResult = { conversations: 0, responses: 0, files: 0 };
    // Each owner and room on its own: one that fails is tried again next time, the others go on.
    const attempt = async (what: string, work: () => Promise<void>) => {
      if (this.stopped) return;
      await work().catch((error: unknown) =>
        this.logger.warn({ error: String(error) }, `retention: ${what} failed; the next sweep tries again`),
      );
    };
    const owners = await this.store.owners().catch((error: unknown) => {
      this.logger.warn({ error: String(error) }, "retention: the store could not list owners");
      return [];
    });
    for (const owner of owners) {
      const days = this.policy.retentionDays(owner);
      if (days <= 0) continue;
      await attempt("expiring conversations", () => this.expireConversations(owner, now - days * day, result));
      await attempt("expiring responses", async () => {
        // Also those of a conversation never recorded (a first turn abandoned while it waited).
        for (let expired = batch; expired === batch && !this.stopped; ) {
          expired = await this.store.expireResponses(owner, now - days * day, batch);
          result.responses += expired;
        }
      });
    }
    await attempt("sweeping the model room", async () => {
      result.files += await this.files.sweepShared(now - sessionFileMaxAgeMs);
    });
    for (const { room } of this.policy.rooms()) {
      await attempt("sweeping a room", async () => {
        result.files += await this.files.sweepRoom(room, now - sessionFileMaxAgeMs);
      });
    }
    if (result.conversations + result.responses + result.files > 0)
      this.logger.info(result, "retention: expired conversations, responses and files removed");
    return result;
  }

  private async expireConversations(owner: string, before: number, result: SweepResult): Promise<void> {
    const skipped = new Set<string>();
    for (;;) {
      const stale = (await this.store.stale(owner, before, batch + skipped.size)).filter(
        (conversation) => !skipped.has(conversation.id),
      );
      for (const conversation of stale) {
        if (this.stopped) return; // shutting down: the rest waits for the next start
        const holder = lockHolder();
        // A turn started on it just now: it is no longer stale once that turn is recorded.
        if (!(await this.store.tryLock(conversation.id, holder, 60_000))) {
          skipped.add(conversation.id);
          continue;
        }
        if ((await this.store.get(conversation.id))?.revision !== conversation.revision) {
          await this.store.unlock(conversation.id, holder); // continued meanwhile: not stale any more
          skipped.add(conversation.id);
          continue;
        }
        if (await this.store.delete(conversation.id)) result.conversations++;
        await this.forget(conversation.id); // before its files: clearing the process still writes to them
        result.files += await this.files.remove(owner, conversation.sessionIds);
      }
      if (stale.length < batch) return;
    }
  }
}
