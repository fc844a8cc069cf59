/**
 * Copies CLI session transcripts into the store, so any instance (or this one after a restart) can
 * resume the conversation with `--resume`.
 *
 * The CLI writes a turn to its transcript ~50–100 ms AFTER the turn's `result` (measured), so the
 * copy is made in the background once the file holds the turn's last answer (its API message
 * id; measured: the transcript writes one merged line per message, with a uuid of its own) — the client is not kept waiting, and the store's copy lags at most that long. Jobs
 * of one conversation run in order; `drain()` lets shutdown finish them.
 */
import { lstat } from "node:fs/promises";
import type { Room } from "../claude/launch-profile.js";
import { readTranscriptFrom, transcriptPath } from "../claude/session-transcript.js";
import type { Logger } from "../observability/logger.js";
import type { ConversationStore } from "../store/conversation-store.js";

export interface TranscriptJob {
  conversationId: string;
  /** The conversation revision the transcript is complete for. */
  revision: number;
  sessionId: string;
  /** The API message id of the turn's last answer: present in the file once it is flushed. */
  marker: string | undefined;
  /** The room of the process that ran the turn (its config dir and working directory). */
  room: Room;
}

export class TranscriptSync {
  /** Per conversation, the pending copies in order; each resolves to the message ids copied so far. */
  private readonly chains = new Map<string, Promise<Set<string>>>();

  constructor(
    private readonly store: ConversationStore,
    private readonly logger: Logger,
    private readonly flushTimeoutMs = 10_000,
  ) {}

  /** Resolves when the copy is stored, or failed (logged). */
  schedule(job: TranscriptJob): Promise<void> {
    const previous = this.chains.get(job.conversationId) ?? Promise.resolve(new Set<string>());
    const next = previous
      .then((copied) => this.copy(job, copied).then(() => copied))
      .catch((error: unknown) => {
        this.logger.warn({ conversation: job.conversationId, error: String(error) }, "saving a transcript failed");
        return new Set<string>();
      })
      .finally(() => {
        if (this.chains.get(job.conversationId) === next) this.chains.delete(job.conversationId);
      });
    this.chains.set(job.conversationId, next);
    return next.then(() => undefined);
  }

  /**
   * Waits for the scheduled copies (shutdown: the CLI flushes its transcript when it exits), at
   * most `timeoutMs`; a copy still missing then is logged by its own timeout later, or lost.
   */
  async drain(timeoutMs = 10_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (this.chains.size > 0 && Date.now() < deadline) {
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise((resolve) => {
        timer = setTimeout(resolve, deadline - Date.now());
      });
      await Promise.race([Promise.all(this.chains.values()), timeout]);
      clearTimeout(timer);
    }
  }

  /**
   * `copied`: the message ids earlier copies of this chain took (and this one adds to). A copy takes
   * the file up to its end, which may already hold later turns (flushed meanwhile): their markers
   * are then behind the stored length, not ahead of it. Later turns cannot be in copies made
   * before the chain last ran empty: a turn's copy is scheduled before its transcript is flushed.
   */
  private async copy(job: TranscriptJob, copied: Set<string>): Promise<void> {
    const path = transcriptPath(job.room.configDirectory, job.room.cwd, job.sessionId);
    const record = await this.store.get(job.conversationId);
    if (!record || record.transcriptRevision >= job.revision) return;
    const offset = record.transcriptSessionId === job.sessionId ? record.transcriptLength : 0;
    const marker = job.marker !== undefined && copied.has(job.marker) ? undefined : job.marker;
    const text = await this.waitForFlush(path, offset, marker, job.room.uid);
    if (text === undefined) {
      const size = await lstat(path).then(
        (stats) => stats.size,
        () => null,
      );
      this.logger.warn(
        { conversation: job.conversationId, revision: job.revision, path, offset, size },
        "the CLI did not flush its transcript in time",
      );
      return;
    }
    const update = { revision: job.revision, sessionId: job.sessionId };
    let saved = text;
    if (!(await this.store.saveTranscript(job.conversationId, { ...update, ...text })) && text.offset > 0) {
      // The stored copy is not this file's prefix after all: store the whole file.
      saved = await readTranscriptFrom(path, 0, job.room.uid);
      await this.store.saveTranscript(job.conversationId, { ...update, ...saved });
    }
    for (const match of saved.text.matchAll(/"id":"(msg_[^"]+)"/g)) if (match[1]) copied.add(match[1]);
  }

  /** The file's bytes from `offset` once they include `marker`; undefined on timeout. */
  private async waitForFlush(
    path: string,
    offset: number,
    marker: string | undefined,
    ownerUid: number | undefined,
  ): Promise<{ offset: number; text: string } | undefined> {
    const deadline = Date.now() + this.flushTimeoutMs;
    let lastSize = -1;
    for (;;) {
      const size = await lstat(path).then(
        (stats) => stats.size,
        () => -1,
      );
      if (size >= 0 && size !== lastSize) {
        lastSize = size;
        const read = await readTranscriptFrom(path, size < offset ? 0 : offset, ownerUid);
        if (marker === undefined || read.text.includes(marker)) return read;
      }
      if (Date.now() >= deadline) return undefined;
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }
}
