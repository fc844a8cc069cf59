/** What a dialect hands the turn engine: one turn's input, in no dialect. */
import type { Caller } from "../auth/caller.js";
import type { ContentBlock } from "../claude/protocol.js";
import type { ClientTools } from "./client-tools.js";
import type { TurnMessage } from "./turn-message.js";

export type TurnInput =
  /** New user messages: as they count for the record, and as the CLI reads them (images unresolved). */
  | { kind: "messages"; messages: TurnMessage[]; blocks: ContentBlock[] }
  /** The client's results for the calls a waiting turn answered with. */
  | { kind: "tool_results"; results: ToolResultInput[] };

/**
 * The client's result of one call; `isError`: the call failed (the model is told so); `images`: the
 * result's base64 images (data: URLs, checked and decoded by the engine), shown to the model as
 * images. A result's URL images are told by their marker in `text` only: a tool result reaches the
 * CLI through its MCP server, which takes image data, not URLs, and the gateway fetches nothing.
 */
export interface ToolResultInput {
  callId: string;
  text: string;
  isError?: boolean;
  images?: Array<{ url: string; param: string }>;
}

export interface TurnRequest {
  caller: Caller;
  /** undefined: the conversation's model, else claude.default_model. */
  model: string | undefined;
  systemPrompt: string | undefined;
  /** The messages before the input (a stateless client's history), system ones excluded. */
  history: TurnMessage[];
  input: TurnInput;
  clientTools: ClientTools | undefined;
  /** JSON Schema text for structured output (`--json-schema`), already normalised. */
  jsonSchema: string | undefined;
  /** The CLI's effort level; undefined: claude.effort. */
  effort: string | undefined;
  /** Continue this stored conversation. */
  conversationId: string | undefined;
  /** false: a one-off turn that records nothing and continues no conversation. */
  persist: boolean;
  /**
   * The answer may be kept and shared under this key (the dialect's hash of everything that changes
   * it); `lookup: false` runs the turn anyway (Cache-Control: no-cache) and keeps its answer.
   */
  cache: { key: string; lookup: boolean } | undefined;
  /** The request field holding the messages, for errors (`messages`, `input`). */
  messagesParam: string;
  /**
   * Tool results no turn waits for (it gave up after tools.pending_timeout_seconds, or the gateway
   * restarted): `refuse` (400 tool_calls_not_pending: the client can send a user message instead)
   * or `replay` — a new turn with the whole history, results included, for a client that cannot
   * (Anthropic's: every tool_use must be followed by its result).
   */
  lateResults: "refuse" | "replay";
}

/** What every dialect's messages map to: the system prompt, the history before the input, the input. */
export type MappedMessages = Pick<TurnRequest, "systemPrompt" | "history" | "input">;
