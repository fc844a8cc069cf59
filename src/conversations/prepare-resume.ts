/** Readying a new CLI process to resume a conversation's session with `--resume`. */

import { type LaunchProfile, userOfRoom } from "../claude/launch-profile.js";
import { transcriptPath, writeTranscript } from "../claude/session-transcript.js";
import { writeFileAsUser } from "../rooms/write-as-user.js";
import type { ConversationRecord } from "../store/conversation-store.js";
import type { TurnDependencies } from "./conversation-turn.js";

/**
 * Puts the stored transcript where `--resume` looks for it. The copy of the latest turn may still
 * be on its way (the CLI flushes late; see transcript-sync.ts): wait for it a little. false if it
 * never came (its instance died within that window): the conversation is then replayed as text.
 */
export async function prepareResume(
  record: ConversationRecord,
  /** The profile of the process that will resume it: the transcript goes into its room. */
  profile: LaunchProfile,
  signal: AbortSignal,
  dependencies: TurnDependencies,
  transcriptWaitMs: number,
): Promise<boolean> {
  const { store, roomOf, logger } = dependencies;
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
  const room = roomOf(profile);
  const path = transcriptPath(room.configDirectory, room.cwd, record.sessionId);
  const user = userOfRoom(room);
  if (user) await writeFileAsUser(user, path, text);
  else await writeTranscript(path, text);
  return true;
}
