/**
 * POST /v1/chat/completions: JSON or SSE, one Claude turn of one conversation on a pooled CLI
 * process. The conversation (new, named, or recognised from the history) decides what reaches the
 * CLI; the turn is recorded before the client sees the end of the answer. A turn that calls the
 * client's functions answers with `tool_calls` and waits, parked, for a request with the results.
 */
import { type Context, Hono } from "hono";
import { requireGrant } from "../../auth/caller.js";
import { clientToolServerOf } from "../../claude/client-tool-server.js";
import type { ContentBlock } from "../../claude/protocol.js";
import { beginConversationTurn } from "../../conversations/begin-conversation-turn.js";
import { invalidRequest } from "../../errors.js";
import { newCompletionIdentity } from "../../openai/chat-completion-builders.js";
import {
  type ChatCompletionRequest,
  type ChatMessage,
  parseChatCompletionRequest,
} from "../../openai/chat-completion-request.js";
import { parseClientTools } from "../../openai/client-tools.js";
import { captureCompletion } from "../../openai/completion-replay.js";
import { composeTurnContent, type MappedMessages, mapChatMessages } from "../../openai/map-chat-messages.js";
import { type AssistantOutputEvent, readAssistantOutput } from "../../openai/read-assistant-output.js";
import { mapReasoningEffort } from "../../openai/reasoning-effort.js";
import { rejectUnsupportedFields } from "../../openai/request-field-policy.js";
import { resolveImages } from "../../openai/resolve-images.js";
import { parseResponseFormat } from "../../openai/response-format.js";
import { runPooledTurn } from "../../pool/run-pooled-turn.js";
import { cachedAnswer, cacheKeyOf } from "../cached-answers.js";
import { continueWithToolResults } from "../continue-tool-turn.js";
import type { GatewayEnv } from "../gateway-env.js";
import type { GatewayServices } from "../gateway-services.js";
import { readJsonBody } from "../read-json-body.js";
import { createRequestDeadline } from "../request-deadline.js";
import { type ChatTurn, type RespondOptions, respondWithTurn } from "../respond-with-turn.js";
import { TurnControl } from "../turn-control.js";
import { observeTurn, recordTurn } from "../turn-events.js";

export function chatCompletionRoutes(services: GatewayServices): Hono<GatewayEnv> {
  const routes = new Hono<GatewayEnv>();
  routes.post("/v1/chat/completions", async (context) => {
    const request = parseChatCompletionRequest(await readJsonBody(context));
    rejectUnsupportedFields(request);
    const mapped = mapChatMessages(request.messages);
    if (mapped.toolResults) {
      const options = () => respondOptions(context, services, request);
      return continueWithToolResults(context, services, mapped.toolResults, options);
    }
    return startTurn(context, services, request, mapped);
  });
  return routes;
}

function respondOptions(
  context: Context<GatewayEnv>,
  services: GatewayServices,
  request: ChatCompletionRequest,
): RespondOptions {
  const { configuration } = services;
  return {
    stream: request.stream === true,
    includeUsage: request.stream_options?.include_usage === true,
    keepAliveMs: configuration.server.sse_keepalive_seconds * 1000,
    streamBufferBytes: configuration.server.stream_buffer_kb * 1024,
    deadline: createRequestDeadline(context.req.raw.signal, configuration.claude.timeout_seconds * 1000),
    parkedTurns: services.parkedTurns,
    logger: services.logger,
  };
}

async function startTurn(
  context: Context<GatewayEnv>,
  services: GatewayServices,
  request: ChatCompletionRequest,
  mapped: MappedMessages,
): Promise<Response> {
  const { configuration } = services;
  const clientTools = parseClientTools(request);
  const jsonSchema = parseResponseFormat(request);
  const effort = mapReasoningEffort(request) ?? configuration.claude.effort;
  const caller = context.get("caller");
  const newBlocks = await resolveImages(mapped.newBlocks, {
    maxBytes: configuration.images.max_bytes,
    maxPerRequest: configuration.images.max_per_request,
    allowedDirectories: configuration.file_access.additional_dirs,
    checkLocalAccess: () => requireGrant(caller, "agent", "Reading a local image file"),
  });
  const conversationId = request.conversation_id ?? context.req.header("x-conversation-id") ?? undefined;
  const cacheKey = services.cache ? cacheKeyOf(context, request, mapped, conversationId) : undefined;
  if (services.cache && cacheKey) {
    const hit = await cachedAnswer(context, services.cache, cacheKey, request, services.metrics, {
      keepAliveMs: configuration.server.sse_keepalive_seconds * 1000,
      bufferBytes: configuration.server.stream_buffer_kb * 1024,
      logger: services.logger,
    });
    if (hit) return hit;
  }
  try {
    return await runTurn(context, services, request, mapped, { clientTools, jsonSchema, effort, newBlocks, cacheKey });
  } catch (error) {
    if (cacheKey) services.cache?.abandon(cacheKey);
    throw error;
  }
}

interface TurnInputs {
  clientTools: ReturnType<typeof parseClientTools>;
  jsonSchema: string | undefined;
  effort: string | undefined;
  newBlocks: ContentBlock[];
  cacheKey: string | undefined;
}

async function runTurn(
  context: Context<GatewayEnv>,
  services: GatewayServices,
  request: ChatCompletionRequest,
  mapped: MappedMessages,
  { clientTools, jsonSchema, effort, newBlocks, cacheKey }: TurnInputs,
): Promise<Response> {
  const { configuration, pool, models } = services;
  const conversationId = request.conversation_id ?? context.req.header("x-conversation-id") ?? undefined;
  // A new message instead of the results a parked turn of this conversation waits for ends that turn.
  const caller = context.get("caller");
  const { owner } = caller;
  const firstTurnAbandoned = conversationId ? services.parkedTurns.abandonConversation(owner, conversationId) : false;
  const options = respondOptions(context, services, request);
  const control = new TurnControl();
  control.link(options.deadline.signal);
  let conversation: Awaited<ReturnType<typeof beginConversationTurn>>;
  try {
    conversation = await beginConversationTurn(
      {
        owner,
        conversationId,
        persist: request.store !== false,
        needs: { agent: caller.grants.has("agent"), clientTools: clientTools !== undefined, jsonSchema },
        firstTurnAbandoned,
        systemPrompt: mapped.systemPrompt,
        earlierEntries: mapped.earlierEntries,
        newEntries: mapped.newEntries,
        signal: control.signal,
        storage: caller.storage,
      },
      services.conversationTurns,
    );
  } catch (error) {
    options.deadline.dispose();
    throw error;
  }
  const model = request.model ?? conversation.model ?? configuration.claude.default_model;
  if (!model) {
    options.deadline.dispose();
    await conversation.finish();
    throw invalidRequest("You must provide a model parameter.", "model", "missing_required_parameter");
  }
  const replay = replayedMessages(conversation.replay, mapped.earlier);
  const content: ContentBlock[] = composeTurnContent(
    replay,
    newBlocks,
    configuration.conversation.max_history_messages,
  );
  if (clientTools?.instruction) content.push({ type: "text", text: clientTools.instruction });
  const turn: ChatTurn = { source: undefined as never, conversation, control, model, server: undefined };
  const lines = conversation.track(
    runPooledTurn(pool, {
      profile: conversation.profile,
      model,
      content,
      signal: control.signal,
      claim: conversation.claim,
      maxHeld: caller.limits.maxProcesses,
      effort,
      keep: () => conversation.keep(),
      prepare: async (lease) => {
        if (!clientTools) return;
        turn.server = clientToolServerOf(lease.process);
        await turn.server?.setTools(clientTools.tools);
      },
    }),
  );
  const started = performance.now();
  let output: AsyncIterable<AssistantOutputEvent> = readAssistantOutput(lines, model, {
    structured: jsonSchema !== undefined,
  });
  const cache = services.cache;
  if (cache && cacheKey) {
    // Kept when it ends well; requests waiting for the same answer get it (or run their own).
    output = captureCompletion(output, newCompletionIdentity(conversation.conversationId), (completion) => {
      const reason = completion?.choices[0]?.finish_reason;
      if (completion && (reason === "stop" || reason === "length")) cache.store(cacheKey, completion);
      else cache.abandon(cacheKey);
    });
  }
  turn.source = recordTurn(
    observeTurn(output, {
      firstToken: () => services.metrics.firstTokenAfter(model, (performance.now() - started) / 1000),
      finished: (event) => {
        models.observe(event.model);
        services.metrics.usage(owner, event.model, event.usage, event.costUsd);
      },
    }),
    conversation,
  )[Symbol.asyncIterator]();
  return respondWithTurn(context, turn, options);
}

/** The earlier messages the CLI must read as text: none when the conversation continues in its session. */
function replayedMessages(
  replay: Awaited<ReturnType<typeof beginConversationTurn>>["replay"],
  earlier: ChatMessage[],
): ChatMessage[] {
  if (replay.kind === "session") return [];
  if (replay.kind === "request") return earlier;
  return replay.items.map((item) => ({ role: item.role, content: item.text }));
}
