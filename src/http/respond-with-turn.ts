/**
 * Answers one HTTP request from a turn's events — JSON or SSE — up to the turn's end or up to a
 * pause for client tool calls. At a pause the turn is parked (its process keeps waiting for the
 * results); otherwise the conversation is let go. Either way the request's own signal is unlinked.
 */
import type { Context } from "hono";
import type { ClientToolServer } from "../claude/client-tool-server.js";
import type { ConversationTurn } from "../conversations/conversation-turn.js";
import type { ParkedTurn, ParkedTurns } from "../conversations/parked-turns.js";
import type { Logger } from "../observability/logger.js";
import { newCompletionIdentity, type ToolCallOutput } from "../openai/chat-completion-builders.js";
import { chatCompletionChunks } from "../openai/chat-completion-chunks.js";
import { collectChatCompletion } from "../openai/collect-chat-completion.js";
import type { AssistantOutputEvent } from "../openai/read-assistant-output.js";
import { untilPause } from "../openai/until-pause.js";
import { cutUnreadStream } from "./cut-unread-stream.js";
import type { GatewayEnv } from "./gateway-env.js";
import type { RequestDeadline } from "./request-deadline.js";
import { createSseResponse } from "./sse.js";
import type { TurnControl } from "./turn-control.js";

/** A turn in progress, as the requests answering it share it. */
export interface ChatTurn {
  source: AsyncIterator<AssistantOutputEvent>;
  conversation: ConversationTurn;
  control: TurnControl;
  model: string;
  /** The process's client tool server, once leased (turns with client tools). */
  server: ClientToolServer | undefined;
}

export interface ChatParkedTurn extends ParkedTurn {
  turn: ChatTurn;
  /** The calls the turn waits on, as the client got them. */
  toolCalls: ToolCallOutput[];
}

export interface RespondOptions {
  stream: boolean;
  includeUsage: boolean;
  keepAliveMs: number;
  /** server.stream_buffer_kb in bytes. */
  streamBufferBytes: number;
  deadline: RequestDeadline;
  parkedTurns: ParkedTurns<ChatParkedTurn>;
  logger: Logger;
}

export async function respondWithTurn(
  context: Context<GatewayEnv>,
  turn: ChatTurn,
  options: RespondOptions,
): Promise<Response> {
  const { deadline } = options;
  turn.control.link(deadline.signal);
  let ended = false;
  const onEnd = (end: { paused: boolean; toolCalls: ToolCallOutput[] }) => {
    if (ended) return;
    ended = true;
    turn.control.detach();
    deadline.dispose();
    if (end.paused && turn.server) options.parkedTurns.park(parkedTurn(turn, end.toolCalls));
    else void turn.conversation.finish();
  };
  const events = untilPause(turn.source, onEnd);
  const conversationId = turn.conversation.conversationId;
  const identity = newCompletionIdentity(conversationId);
  try {
    if (!options.stream) {
      const completion = await collectChatCompletion(events, identity);
      if (conversationId) context.header("x-conversation-id", conversationId);
      return context.json(completion);
    }
    const chunks = chatCompletionChunks(events, { identity, model: turn.model, includeUsage: options.includeUsage });
    const { logger } = options;
    const requestId = context.get("requestId");
    // One line for a client that went away, whether its stream saw the abort or the cancel first.
    let goneLogged = false;
    const clientGone = () => {
      if (goneLogged) return;
      goneLogged = true;
      const fields = { requestId, status: 499, code: "client_closed_request" };
      logger.info(fields, "stream ended: the client closed the request");
    };
    const response = await createSseResponse(chunks, {
      keepAliveMs: options.keepAliveMs,
      bufferBytes: options.streamBufferBytes,
      onOverflow: () => turn.control.abort(cutUnreadStream(context, logger, options.streamBufferBytes)),
      onStreamError: (error) => {
        if (error.code === "client_closed_request") clientGone();
        else logger.warn({ requestId, status: error.status, code: error.code }, `stream ended: ${error.message}`);
      },
      onCancel: clientGone,
    });
    if (conversationId) response.headers.set("x-conversation-id", conversationId);
    return response;
  } catch (error) {
    if (!ended) {
      // Failed before any event was pulled: nothing else ended the turn.
      await turn.source.return?.(undefined);
      onEnd({ paused: false, toolCalls: [] });
    }
    throw error;
  }
}

function parkedTurn(turn: ChatTurn, toolCalls: ToolCallOutput[]): ChatParkedTurn {
  return {
    turn,
    toolCalls,
    toolCallIds: toolCalls.map((call) => call.id),
    conversationId: turn.conversation.conversationId,
    owner: turn.conversation.owner,
    abandon(reason) {
      // Interrupt first (closing the source stops the turn), then free the waiting tool calls.
      turn.control.abort(new Error(reason));
      void turn.source.return?.(undefined);
      turn.server?.abandon(reason);
      void turn.conversation.finish();
    },
  };
}
