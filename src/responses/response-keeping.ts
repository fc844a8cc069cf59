/**
 * One request's stored response (store: true): reserved against its owner's quota before the turn
 * runs — its input items, as kept, and the request fields it echoes — kept with its conversation
 * before the client sees the end, and the reservation given back once it is kept or will not be.
 */
import type { Caller } from "../auth/caller.js";
import type { Reservation } from "../conversations/storage-quota.js";
import type { StoredInputItem } from "../store/conversation-store.js";
import type { TurnShare } from "../turns/engine-turn.js";
import type { ResponseDirectory } from "./response-directory.js";
import type { GatewayResponse } from "./response-object.js";
import type { ResponsesRequest } from "./responses-request.js";
import { echoedBytes, storedInputItems } from "./stored-input-items.js";

export class ResponseKeeping {
  private kept = false;

  private constructor(
    private readonly directory: ResponseDirectory,
    private readonly owner: string,
    private readonly inputItems: StoredInputItem[],
    private readonly reservation: Reservation,
  ) {}

  /** undefined with `store: false`: nothing will be kept. */
  static async reserve(
    directory: ResponseDirectory,
    caller: Caller,
    request: ResponsesRequest,
  ): Promise<ResponseKeeping | undefined> {
    if (request.store === false) return undefined;
    const inputItems = storedInputItems(request);
    let bytes = echoedBytes(request);
    for (const item of inputItems) bytes += Buffer.byteLength(item.json);
    const reservation = await directory.reserve(caller.owner, caller.storage, bytes);
    return new ResponseKeeping(directory, caller.owner, inputItems, reservation);
  }

  /** Keeps the response as it ends (once; a kept answer from the cache has no conversation to join). */
  async keep(response: GatewayResponse, share: TurnShare): Promise<void> {
    if (this.kept || share.cached || !share.conversationId) return;
    this.kept = true;
    try {
      await this.directory.keep(
        {
          id: response.id,
          owner: this.owner,
          conversationId: share.conversationId,
          revision: share.revision(),
          createdAt: response.created_at,
          body: JSON.stringify(response),
        },
        this.inputItems,
      );
    } finally {
      this.release();
    }
  }

  /** The request is over: what was not kept is no longer held. Idempotent. */
  release(): void {
    this.reservation();
  }
}
