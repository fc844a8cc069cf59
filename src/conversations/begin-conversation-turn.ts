/**
 * Which conversation a chat completion continues, and how:
 *   - an explicit `conversation_id`: that one (404 if unknown); the request sends only the new
 *     message(s), or the full history followed by them;
 *   - otherwise, a history whose digest is a stored conversation's current digest continues it —
 *     only the new messages reach the CLI;
 *   - anything else starts a new conversation (earlier messages replayed as text).
 * A continued conversation is locked for the turn (across instances, through the store), so two
 * requests can never advance it at once or see each other's messages.
 */
import { invalidRequest } from "../errors.js";
import type { ConversationRecord } from "../store/conversation-store.js";
import {
  conversationNotFound,
  historyMismatch,
  invalidConversationId,
  systemPromptMismatch,
} from "./conversation-errors.js";
import { isConversationId, newConversationId } from "./conversation-ids.js";
import { lockHolder, waitForLock } from "./conversation-lock.js";
import { ConversationTurn } from "./conversation-turn.js";
import type { ConversationTurnDependencies, ConversationTurnRequest } from "./conversation-turn-request.js";
import { extendDigest, historyRoot } from "./history-digest.js";
import { turnOnStored } from "./turn-on-stored.js";

export async function beginConversationTurn(
  request: ConversationTurnRequest,
  dependencies: ConversationTurnDependencies,
): Promise<ConversationTurn> {
  if (request.conversationId !== undefined) {
    if (!request.persist) {
      throw invalidRequest("'store: false' cannot continue a conversation.", "store", "invalid_value");
    }
    return continueNamed(request, request.conversationId, dependencies);
  }
  const digestBefore = requestDigest(request);
  if (request.persist && request.earlierEntries.length > 0) {
    const continued = await continueRecognised(request, digestBefore, dependencies);
    if (continued) return continued;
  }
  return newConversationTurn(newConversationId(), request, dependencies, undefined, digestBefore);
}

async function newConversationTurn(
  id: string,
  request: ConversationTurnRequest,
  dependencies: ConversationTurnDependencies,
  lockHolder: string | undefined,
  digestBefore: string,
): Promise<ConversationTurn> {
  // Earlier messages are replayed to the CLI: its transcript, which is stored, holds them too.
  const reservation = request.persist
    ? await dependencies.quota.reserve(request.owner, request.storage, {
        newConversation: true,
        entries: request.newEntries,
        replayed: request.earlierEntries,
        systemPrompt: request.systemPrompt,
      })
    : undefined;
  const systemPrompt = request.systemPrompt ?? null;
  return new ConversationTurn(
    {
      conversationId: id,
      persist: request.persist,
      owner: request.owner,
      record: undefined,
      systemPrompt,
      profile: dependencies.launchProfile(request.owner, request.systemPrompt, request.needs),
      claim: undefined,
      replay: { kind: "request" },
      digestBefore,
      newEntries: request.newEntries,
      lockHolder,
      reservation,
      storage: request.storage,
    },
    dependencies,
  );
}

async function continueNamed(
  request: ConversationTurnRequest,
  id: string,
  dependencies: ConversationTurnDependencies,
): Promise<ConversationTurn> {
  if (!isConversationId(id)) throw invalidConversationId(id, "conversation_id");
  // Ownership before effect: another key's conversation is not even waited for (or locked).
  const existing = await dependencies.store.get(id);
  if (existing && existing.owner !== request.owner) throw conversationNotFound(id, "conversation_id");
  const holder = lockHolder(dependencies.instanceId);
  await waitForLock(dependencies.store, id, holder, dependencies, request.signal);
  try {
    const record = await dependencies.store.get(id);
    if (!record && request.firstTurnAbandoned) {
      return await newConversationTurn(id, request, dependencies, holder, requestDigest(request));
    }
    if (!record || record.owner !== request.owner) throw conversationNotFound(id, "conversation_id");
    // The first turn may still choose the system prompt; later ones must keep it.
    let systemPrompt = record.systemPrompt;
    if (request.systemPrompt !== undefined && request.systemPrompt !== record.systemPrompt) {
      if (record.revision > 0) throw systemPromptMismatch(id);
      systemPrompt = request.systemPrompt;
    }
    const digestBefore = await currentDigest(record, systemPrompt, dependencies);
    const { earlierEntries } = request;
    if (
      earlierEntries.length > 0 &&
      extendDigest(rootOf(record.owner, systemPrompt), earlierEntries) !== digestBefore
    ) {
      throw historyMismatch(id);
    }
    return await turnOnStored(record, systemPrompt, digestBefore, holder, request, dependencies);
  } catch (error) {
    await dependencies.store.unlock(id, holder);
    throw error;
  }
}

async function continueRecognised(
  request: ConversationTurnRequest,
  digestBefore: string,
  dependencies: ConversationTurnDependencies,
): Promise<ConversationTurn | undefined> {
  const { store } = dependencies;
  for (const id of await store.findByDigest(request.owner, digestBefore)) {
    const holder = lockHolder(dependencies.instanceId);
    // A conversation busy with another request is not this client's to wait for: its next
    // state is unknown, so this request starts its own conversation instead.
    if (!(await store.tryLock(id, holder, dependencies.lockTtlMs))) continue;
    try {
      const record = await store.get(id);
      if (record && record.owner === request.owner && record.historyDigest === digestBefore) {
        return await turnOnStored(record, record.systemPrompt, digestBefore, holder, request, dependencies);
      }
    } catch (error) {
      await store.unlock(id, holder);
      throw error;
    }
    await store.unlock(id, holder);
  }
  return undefined;
}

/** A conversation that never ran may adopt a system prompt now: its digest starts from that. */
async function currentDigest(
  record: ConversationRecord,
  systemPrompt: string | null,
  dependencies: ConversationTurnDependencies,
): Promise<string> {
  if (record.revision > 0) return record.historyDigest;
  const items = await dependencies.store.items(record.id);
  return extendDigest(rootOf(record.owner, systemPrompt), items);
}

/** The digest of the history the request brings (its messages before the new input). */
function requestDigest(request: ConversationTurnRequest): string {
  return extendDigest(rootOf(request.owner, request.systemPrompt ?? null), request.earlierEntries);
}

function rootOf(owner: string, systemPrompt: string | null): string {
  return historyRoot(owner, systemPrompt ?? "");
}
