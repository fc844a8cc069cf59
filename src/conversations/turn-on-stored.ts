/**
 * The turn of a stored, locked conversation: in its CLI session if a process holds it or it can be
 * resumed, else replaying its stored items as text — and what that turn will store reserved
 * against the owner's quota before anything runs.
 */
import type { ConversationClaim } from "../pool/process-pool.js";
import type { ConversationRecord } from "../store/conversation-store.js";
import { ConversationTurn, type Replay } from "./conversation-turn.js";
import type { ConversationTurnDependencies, ConversationTurnRequest } from "./conversation-turn-request.js";
import { prepareResume } from "./prepare-resume.js";

export async function turnOnStored(
  record: ConversationRecord,
  systemPrompt: string | null,
  digestBefore: string,
  holder: string,
  request: ConversationTurnRequest,
  dependencies: ConversationTurnDependencies,
): Promise<ConversationTurn> {
  let claim: ConversationClaim | undefined;
  let replay: Replay = { kind: "session" };
  const profile = dependencies.launchProfile(record.owner, systemPrompt ?? undefined, request.needs);
  if (record.sessionId) {
    claim = { id: record.id, revision: record.revision, resumeArgs: ["--resume", record.sessionId] };
    if (
      !dependencies.pool.holds(claim) &&
      !(await prepareResume(record, profile, request.signal, dependencies, dependencies.transcriptWaitMs))
    ) {
      claim = undefined;
      replay = { kind: "items", items: await dependencies.store.items(record.id) };
    }
  } else {
    replay = { kind: "items", items: await dependencies.store.items(record.id) };
  }
  const reservation = await dependencies.quota.reserve(record.owner, request.storage, {
    newConversation: false,
    entries: request.newEntries,
    // Stored items replayed as text land in the new session's transcript too.
    replayed: replay.kind === "items" ? replay.items : undefined,
    // Only the first turn may set it; later ones keep it (checked before this).
    systemPrompt: systemPrompt === record.systemPrompt ? undefined : systemPrompt,
  });
  return new ConversationTurn(
    {
      conversationId: record.id,
      persist: true,
      owner: record.owner,
      record,
      systemPrompt,
      profile,
      claim,
      replay,
      digestBefore,
      newEntries: request.newEntries,
      lockHolder: holder,
      reservation,
      storage: request.storage,
    },
    dependencies,
  );
}
