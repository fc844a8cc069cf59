/**
 * The responses an owner keeps (store: true): kept once their turn has answered, found again by
 * GET /v1/responses/{id} and by `previous_response_id`. Every lookup is scoped to the owner: an
 * id that is malformed, unknown or someone else's is simply not found.
 */
import { randomBytes } from "node:crypto";
import { GatewayError, notFound } from "../errors.js";
import {
  type ConversationStore,
  type Page,
  type PageRequest,
  pageOf,
  type StoredResponse,
} from "../store/conversation-store.js";

type StoredInputItem = { id: string } & Record<string, unknown>;

const idPattern = /^resp_[0-9a-f]{48}$/;

export function newResponseId(): string {
  return `resp_${randomBytes(24).toString("hex")}`;
}

export function responseNotFound(id: string, param: string | null): GatewayError {
  return notFound(`Response with id '${id.slice(0, 100)}' not found.`, "response_not_found", param);
}

export class ResponseDirectory {
  constructor(private readonly store: ConversationStore) {}

  async get(owner: string, id: string, param: string | null = null): Promise<StoredResponse> {
    const stored = idPattern.test(id) ? await this.store.getResponse(id) : undefined;
    if (!stored || stored.owner !== owner) throw responseNotFound(id, param);
    return stored;
  }

  /**
   * The conversation `previous_response_id` continues. Only the newest response of a conversation
   * can be continued: the CLI session holds the conversation as of its last turn, and a branch
   * from an earlier response would need a session the gateway does not keep.
   */
  async previous(owner: string, id: string): Promise<string> {
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

  async keep(response: StoredResponse): Promise<void> {
    await this.store.putResponse(response);
  }

  async delete(owner: string, id: string): Promise<void> {
    await this.get(owner, id);
    await this.store.deleteResponse(id);
  }

  async inputItems(owner: string, id: string, page: PageRequest): Promise<Page<StoredInputItem>> {
    const stored = await this.get(owner, id);
    // Kept with an id each (stored-input-items.ts).
    const items = JSON.parse(stored.inputItems) as StoredInputItem[];
    return pageOf(items, page, (item) => item.id);
  }
}
