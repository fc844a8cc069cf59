/**
 * The responses an owner keeps (store: true): kept once their turn has answered, found again by
 * GET /v1/responses/{id} and by `previous_response_id`. Every lookup is scoped to the owner: an
 * id that is malformed, unknown or someone else's is simply not found.
 */
import { randomBytes } from "node:crypto";
import type { StorageLimits } from "../auth/caller.js";
import type { Reservation, StorageQuota } from "../conversations/storage-quota.js";
import { GatewayError, invalidRequest, notFound } from "../errors.js";
import type {
  ConversationStore,
  Page,
  PageRequest,
  StoredInputItem,
  StoredResponse,
} from "../store/conversation-store.js";
import type { ResponsesRequest } from "./responses-request.js";

const idPattern = /^resp_[0-9a-f]{48}$/;

export function newResponseId(): string {
  return `resp_${randomBytes(24).toString("hex")}`;
}

export function responseNotFound(id: string, param: string | null): GatewayError {
  return notFound(`Response with id '${id.slice(0, 100)}' not found.`, "response_not_found", param);
}

export class ResponseDirectory {
  constructor(
    private readonly store: ConversationStore,
    private readonly quota: StorageQuota,
  ) {}

  async get(owner: string, id: string, param: string | null = null): Promise<StoredResponse> {
    const stored = idPattern.test(id) ? await this.store.getResponse(id) : undefined;
    if (!stored || stored.owner !== owner) throw responseNotFound(id, param);
    return stored;
  }

  /** The conversation the request continues by name: `conversation`, or `previous_response_id`'s. */
  async continuedConversation(owner: string, request: ResponsesRequest): Promise<string | undefined> {
    const named = typeof request.conversation === "string" ? request.conversation : request.conversation?.id;
    if (!request.previous_response_id) return named ?? undefined;
    if (named) {
      throw invalidRequest(
        "Use either previous_response_id or conversation, not both.",
        "previous_response_id",
        "mutually_exclusive_parameters",
      );
    }
    return this.previous(owner, request.previous_response_id);
  }

  /**
   * The conversation `previous_response_id` continues. Only the newest response of a conversation
   * can be continued: the CLI session holds the conversation as of its last turn, and a branch
   * from an earlier response would need a session the gateway does not keep.
   */
  private async previous(owner: string, id: string): Promise<string> {
    const stored = await this.get(owner, id, "previous_response_id");
    const conversation = await this.store.get(stored.conversationId);
    if (conversation && conversation.revision > stored.revision) {
      throw new GatewayError(
        `Response '${id}' is not the latest of its conversation; continuing from an earlier response (branching) is not supported. Continue from the latest response, or send the history you want as input without previous_response_id.`,
        {
          status: 400,
          type: "invalid_request_error",
          param: "previous_response_id",
          code: "previous_response_not_latest",
        },
      );
    }
    return stored.conversationId;
  }

  /**
   * Holds what a response will store against its owner's quota while its turn runs (429 when it
   * does not fit, before anything runs): its input items and the request fields the response
   * echoes. The model's output comes on top once it is kept.
   */
  reserve(owner: string, storage: StorageLimits, bytes: number): Promise<Reservation> {
    return this.quota.reserve(owner, storage, { newConversation: false, entries: [], bytes });
  }

  async keep(response: StoredResponse, inputItems: readonly StoredInputItem[]): Promise<void> {
    await this.store.putResponse(response, inputItems);
  }

  async delete(owner: string, id: string): Promise<void> {
    await this.get(owner, id);
    await this.store.deleteResponse(id);
  }

  /** A page of the response's input items, as their JSON text (listed as kept, never parsed again). */
  async inputItems(owner: string, id: string, page: PageRequest): Promise<Page<StoredInputItem>> {
    await this.get(owner, id);
    return this.store.responseInputItems(id, page);
  }
}
