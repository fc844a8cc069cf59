/** Readying a new CLI process to resume a conversation's session with `--resume`. */
import { transcriptPath, writeTranscript } from "../claude/session-transcript.js";
import type { ConversationRecord } from "../store/conversation-store.js";
import type { TurnDependencies } from "./conversation-turn.js";

/**
 * Puts the stored transcript where `--resume` looks for it. The copy of the latest turn may still
 * be on its way (the CLI flushes late; see transcript-sync.ts): wait for it a little. false if it
 * never came (its instance died within that window): the conversation is then replayed as text.
 */
export async function prepareResume(
  record: ConversationRecord,
  signal: AbortSignal,
  dependencies: TurnDependencies,
  transcriptWaitMs: number,
): Promise<boolean> {
  const { store, transcripts, logger } = dependencies;
  const deadline = Date.now() + transcriptWaitMs;
  let current: ConversationRecord | undefined = record;
  while (
    current &&
    !(current.transcriptRevision === record.revision && current.transcriptSessionId === record.sessionId)
  ) {
    signal.throwIfAborted();
    if (Date.now() >= deadline) {
      logger.warn({ conversation: record.id }, "the session transcript is behind: replaying the conversation as text");
      return false;
    }
    await new Promise((resolve) => setTimeout(resolve, 25));
    current = await store.get(record.id);
  }
  const text = current && (await store.transcript(record.id));
  if (!text || !record.sessionId) return false;
  await writeTranscript(transcriptPath(transcripts.configDirectory, transcripts.cwd, record.sessionId), text);
  return true;
}
