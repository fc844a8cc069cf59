/**
 * Copies CLI session transcripts into the store, so any instance (or this one after a restart) can
 * resume the conversation with `--resume`.
 *
 * The CLI writes a turn to its transcript ~50–100 ms AFTER the turn's `result` (measured), so the
 * copy is made in the background once the file holds the turn's last assistant line (same uuid as
 * on stdout) — the client is not kept waiting, and the store's copy lags at most that long. Jobs
 * of one conversation run in order; `drain()` lets shutdown finish them.
 */
import { stat } from "node:fs/promises";
import { readTranscriptFrom, transcriptPath } from "../claude/session-transcript.js";
import type { Logger } from "../observability/logger.js";
import type { ConversationStore } from "../store/conversation-store.js";

export interface TranscriptJob {
  conversationId: string;
  /** The conversation revision the transcript is complete for. */
  revision: number;
  sessionId: string;
  /** The uuid of the turn's last assistant line: present in the file once it is flushed. */
  marker: string | undefined;
}

export interface TranscriptLocation {
  configDirectory: string;
  cwd: string;
}

export class TranscriptSync {
  /** Per conversation, the pending copies in order; each resolves to the text it copied. */
  private readonly chains = new Map<string, Promise<string>>();

  constructor(
    private readonly store: ConversationStore,
    private readonly location: TranscriptLocation,
    private readonly logger: Logger,
    private readonly flushTimeoutMs = 10_000,
  ) {}

  schedule(job: TranscriptJob): void {
    const previous = this.chains.get(job.conversationId) ?? Promise.resolve("");
    const next = previous
      .then((copiedBefore) => this.copy(job, copiedBefore))
      .catch((error: unknown) => {
        this.logger.warn({ conversation: job.conversationId, error: String(error) }, "saving a transcript failed");
        return "";
      })
      .finally(() => {
        if (this.chains.get(job.conversationId) === next) this.chains.delete(job.conversationId);
      });
    this.chains.set(job.conversationId, next);
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
   * `copiedBefore`: what the previous copy of this conversation took. A copy takes the file up to
   * its end, which may already hold the next turn (flushed meanwhile): then that turn's marker is
   * in there, not after the stored length.
   */
  private async copy(job: TranscriptJob, copiedBefore: string): Promise<string> {
    const path = transcriptPath(this.location.configDirectory, this.location.cwd, job.sessionId);
    const record = await this.store.get(job.conversationId);
    if (!record || record.transcriptRevision >= job.revision) return "";
    const offset = record.transcriptSessionId === job.sessionId ? record.transcriptLength : 0;
    const marker = job.marker !== undefined && copiedBefore.includes(job.marker) ? undefined : job.marker;
    const text = await this.waitForFlush(path, offset, marker);
    if (text === undefined) {
      const size = await stat(path).then(
        (stats) => stats.size,
        () => null,
      );
      this.logger.warn(
        { conversation: job.conversationId, revision: job.revision, path, offset, size },
        "the CLI did not flush its transcript in time",
      );
      return "";
    }
    const update = { revision: job.revision, sessionId: job.sessionId };
    if (await this.store.saveTranscript(job.conversationId, { ...update, ...text })) return text.text;
    if (text.offset === 0) return "";
    // The stored copy is not this file's prefix after all: store the whole file.
    const whole = await readTranscriptFrom(path, 0);
    return (await this.store.saveTranscript(job.conversationId, { ...update, ...whole })) ? whole.text : "";
  }

  /** The file's bytes from `offset` once they include `marker`; undefined on timeout. */
  private async waitForFlush(
    path: string,
    offset: number,
    marker: string | undefined,
  ): Promise<{ offset: number; text: string } | undefined> {
    const deadline = Date.now() + this.flushTimeoutMs;
    let lastSize = -1;
    for (;;) {
      const size = await stat(path).then(
        (stats) => stats.size,
        () => -1,
      );
      if (size >= 0 && size !== lastSize) {
        lastSize = size;
        const read = await readTranscriptFrom(path, size < offset ? 0 : offset);
        if (marker === undefined || read.text.includes(marker)) return read;
      }
      if (Date.now() >= deadline) return undefined;
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }
}
