/** The answer cache seen from the engine: keeping a finished answer, and telling a kept one again. */
import type { ResponseCache } from "../cache/response-cache.js";
import { type KeptAnswer, keptAnswerEvents } from "./answer-so-far.js";
import type { TurnShare } from "./engine-turn.js";
import type { RequestDeadline } from "./request-deadline.js";

/** Kept if the turn ended well; otherwise requests waiting for the same answer run their own. */
export function settleCache(cache: ResponseCache<KeptAnswer>, key: string, kept: KeptAnswer | undefined): void {
  void (kept ? cache.store(key, kept) : cache.abandon(key));
}

/** A kept answer told again: no conversation, no process. */
export function keptShare(kept: KeptAnswer, deadline: RequestDeadline): TurnShare {
  async function* events() {
    try {
      yield* keptAnswerEvents(kept);
    } finally {
      deadline.dispose();
    }
  }
  return {
    conversationId: undefined,
    model: kept.model,
    cached: true,
    revision: () => 0,
    events: events(),
    abort: () => {},
    cancel: async () => deadline.dispose(),
  };
}
