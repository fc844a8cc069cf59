/**
 * The one place a turn runs, whatever dialect asked for it. A dialect parses its request into a
 * TurnRequest, takes a TurnShare and renders its events; everything between — the conversation,
 * the answer cache, images, the pool, client tools, the waiting for tool results, the record and
 * the metrics — happens here.
 */
import { requireGrant } from "../auth/caller.js";
import type { ResponseCache } from "../cache/response-cache.js";
import { clientToolServerOf } from "../claude/client-tool-server.js";
import type { ContentBlock } from "../claude/protocol.js";
import { OwnedElsewhere } from "../cluster/cluster-errors.js";
import type { WorkLocation } from "../cluster/work-locations.js";
import { beginConversationTurn } from "../conversations/begin-conversation-turn.js";
import type { Replay } from "../conversations/conversation-turn.js";
import type { ConversationTurnDependencies } from "../conversations/conversation-turn-request.js";
import { invalidRequest } from "../errors.js";
import type { ProcessPool } from "../pool/process-pool.js";
import { runPooledTurn } from "../pool/run-pooled-turn.js";
import type { KeptAnswer } from "./answer-so-far.js";
import { continueWaiting } from "./continue-waiting.js";
import { EngineTurn, type TurnObservers, type TurnRunner, type TurnShare } from "./engine-turn.js";
import { inertCommands } from "./inert-commands.js";
import { keptShare, settleCache } from "./kept-share.js";
import type { ParkedTurns } from "./parked-turns.js";
import { readTurnOutput } from "./read-turn-output.js";
import { composeTurnContent } from "./render-history.js";
import type { RequestDeadline } from "./request-deadline.js";
import { type ImageLimits, resolveImages } from "./resolve-images.js";
import { ResumePoints } from "./resume-points.js";
import type { TokenUsage } from "./token-usage.js";
import { historyEntry, type TurnMessage } from "./turn-message.js";
import type { TurnRequest } from "./turn-request.js";

export interface TurnEngineDependencies {
  pool: ProcessPool;
  conversationTurns: ConversationTurnDependencies;
  /** Turns waiting for the results of the tool calls they answered with. */
  waiting: ParkedTurns<EngineTurn>;
  cache: ResponseCache<KeptAnswer> | undefined;
  /** Where a waiting turn held by another instance is (the turns here are in `waiting`). */
  elsewhere: {
    waitingTurn(owner: string, callIds: string[]): Promise<WorkLocation>;
    waitingConversation(owner: string, conversationId: string): Promise<WorkLocation>;
  };
  metrics: {
    firstTokenAfter(model: string, seconds: number): void;
    usage(owner: string, model: string, usage: TokenUsage, costUsd: number): void;
    cache(outcome: "hit" | "miss"): void;
  };
  /** Models the upstream answered with (listed by /v1/models when they differ from the one asked). */
  models: {
    observeAnswer(requestedModel: string, answeringModel: string): void;
    /** The CLI's own default model, once a process has told it. */
    readonly cliDefault: string | undefined;
  };
  settings: {
    defaultModel: string | undefined;
    effort: string | undefined;
    maxHistoryMessages: number;
    images: { maxBytes: number; maxPerRequest: number; allowedDirectories: readonly string[] };
  };
}

export class TurnEngine {
  constructor(private readonly dependencies: TurnEngineDependencies) {}

  /** Runs the request's turn — or goes on with a waiting one — and gives this request its share. */
  async run(request: TurnRequest, deadline: RequestDeadline): Promise<TurnShare> {
    try {
      return request.input.kind === "tool_results"
        ? await continueWaiting(
            {
              waiting: this.dependencies.waiting,
              imageLimits: this.imageLimits(request),
              locate: (owner, callIds) => this.dependencies.elsewhere.waitingTurn(owner, callIds),
              startAnew: (history, firstTurnAbandoned) =>
                this.start(
                  { ...request, history },
                  [],
                  [{ type: "text", text: handedOverInput }],
                  deadline,
                  firstTurnAbandoned,
                ),
            },
            request,
            request.input.results,
            deadline,
          )
        : await this.start(request, request.input.messages, request.input.blocks, deadline);
    } catch (error) {
      deadline.dispose();
      throw error;
    }
  }

  /** How many turns wait for tool results. */
  get waitingCount(): number {
    return this.dependencies.waiting.size;
  }

  /**
   * The pool has no process for a request: the turn that has waited longest for a client's tool
   * results gives its process up (interrupted; its results will find no turn waiting). Ten clients
   * that never answer must not stall everyone else for tools.pending_timeout_seconds.
   */
  releaseWaiting(): boolean {
    return this.dependencies.waiting.releaseOldest(
      "Another request needed the process while this turn waited for tool results.",
    );
  }

  /** Turns waiting for tool results, abandoned (the gateway is shutting down). */
  abandonWaiting(reason: string): void {
    this.dependencies.waiting.abandonAll(reason);
  }

  private async start(
    request: TurnRequest,
    messages: TurnMessage[],
    blocks: ContentBlock[],
    deadline: RequestDeadline,
    firstTurnAbandoned = false,
  ): Promise<TurnShare> {
    const { cache, metrics } = this.dependencies;
    const newBlocks = await resolveImages(blocks, this.imageLimits(request));
    if (cache && request.cache) {
      // Waiting for an identical request's answer counts against this request's own deadline.
      const kept = request.cache.lookup ? await cache.lookup(request.cache.key, deadline.signal) : undefined;
      metrics.cache(kept ? "hit" : "miss");
      if (kept) return keptShare(kept, deadline);
    }
    try {
      return await this.startTurn(request, messages, newBlocks, deadline, firstTurnAbandoned);
    } catch (error) {
      if (request.cache) void cache?.abandon(request.cache.key);
      throw error;
    }
  }

  private async startTurn(
    request: TurnRequest,
    messages: TurnMessage[],
    newBlocks: ContentBlock[],
    deadline: RequestDeadline,
    handedOverFirstTurn: boolean,
  ): Promise<TurnShare> {
    const { pool, conversationTurns, waiting, settings, cache } = this.dependencies;
    const { caller, conversationId, clientTools } = request;
    const { owner } = caller;
    // A new message instead of the results a waiting turn of this conversation needs ends that turn.
    const firstTurnAbandoned =
      handedOverFirstTurn || (conversationId ? waiting.abandonConversation(owner, conversationId) : false);
    if (conversationId && !firstTurnAbandoned) {
      // That turn waits on another instance, holding the conversation: the message goes there.
      const where = await this.dependencies.elsewhere.waitingConversation(owner, conversationId);
      if (where.kind === "elsewhere") throw new OwnedElsewhere(where.instance);
    }
    const conversation = await beginConversationTurn(
      {
        owner,
        conversationId,
        persist: request.persist,
        needs: {
          agent: caller.grants.has("agent"),
          clientTools: clientTools !== undefined,
          jsonSchema: request.jsonSchema,
        },
        firstTurnAbandoned,
        systemPrompt: request.systemPrompt,
        earlierEntries: request.history.map(historyEntry),
        newEntries: messages.map(historyEntry),
        signal: deadline.signal,
        storage: caller.storage,
      },
      conversationTurns,
    );
    // No model named, none configured: the CLI's own default, as a process started without --model uses.
    const model = request.model ?? conversation.model ?? settings.defaultModel ?? this.dependencies.models.cliDefault;
    if (!model) {
      await conversation.finish();
      throw invalidRequest(
        "You must provide a model parameter (no claude.default_model is set, and no CLI process has told its default yet).",
        "model",
        "missing_required_parameter",
      );
    }
    const content = composeTurnContent(
      replayedMessages(conversation.replay, request.history),
      newBlocks,
      settings.maxHistoryMessages,
    );
    if (clientTools?.instruction) content.push({ type: "text", text: clientTools.instruction });
    const cacheKey = request.cache?.key;
    const resumePoints = new ResumePoints();
    const runner: TurnRunner = (input, forkArguments) => {
      // A fork continues the conversation in a new process (the session is its until recorded).
      const claim = forkArguments
        ? {
            id: conversation.conversationId ?? `fork:${forkArguments[1]}`,
            revision: conversation.revision,
            resumeArgs: forkArguments,
          }
        : conversation.claim;
      const lines = runPooledTurn(pool, {
        profile: conversation.profile,
        model,
        // The caller's words, never a command of the CLI's.
        content: inertCommands(input),
        signal: turn.signal,
        claim,
        maxHeld: caller.limits.maxProcesses,
        effort: request.effort ?? settings.effort,
        keep: () => conversation.keep(),
        prepare: async (lease) => {
          if (!clientTools) return;
          turn.server = clientToolServerOf(lease.process);
          await turn.server?.setTools(clientTools.tools);
        },
      });
      const tracked = conversation.track(resumePoints.track(lines));
      return readTurnOutput(tracked, model, {
        structured: request.jsonSchema !== undefined,
        clientTools: clientTools?.tools.map((tool) => tool.name),
      });
    };
    const turn: EngineTurn = new EngineTurn(
      { conversation, model, systemPrompt: conversation.systemPrompt ?? undefined, toolsKey: clientTools?.key },
      waiting,
      this.observers(owner, model, cache && cacheKey ? (kept) => settleCache(cache, cacheKey, kept) : undefined),
      runner,
      (callIds) => resumePoints.forkArguments(callIds),
    );
    turn.begin(content);
    return turn.share(deadline);
  }

  /** How a request's images are checked: the configured limits, local files only with the agent grant. */
  private imageLimits(request: TurnRequest): ImageLimits {
    return {
      ...this.dependencies.settings.images,
      param: request.messagesParam,
      checkLocalAccess: () => requireGrant(request.caller, "agent", "Reading a local image file"),
    };
  }

  private observers(
    owner: string,
    model: string,
    answered: ((kept: KeptAnswer | undefined) => void) | undefined,
  ): TurnObservers {
    const { metrics, models } = this.dependencies;
    return {
      firstToken: (seconds) => metrics.firstTokenAfter(model, seconds),
      finished: (answeredBy, usage, costUsd) => {
        models.observeAnswer(model, answeredBy);
        metrics.usage(owner, answeredBy, usage, costUsd);
      },
      answered,
      // Requests already queued for a process get one of the waiting turns' (release on lease
      // alone would miss them: they asked before these turns began to wait).
      waiting: () => {
        if (this.dependencies.pool.queued > 0) this.releaseWaiting();
      },
    };
  }
}

/** What the new agent is asked after a handoff: its history (with the results) comes ahead of it. */
const handedOverInput = "[The results of the function calls are in the conversation above. Continue from there.]";

/** The earlier messages the CLI must read as text: none when the conversation continues in its session. */
function replayedMessages(replay: Replay, history: TurnMessage[]): TurnMessage[] {
  if (replay.kind === "session") return [];
  if (replay.kind === "request") return history;
  return replay.items.map((item) => ({ role: item.role, text: item.text }));
}
