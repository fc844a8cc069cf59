/**
 * One turn, from its first request to its end — the one owner of its state:
 *
 *   running ──(answer ends with client tool calls)──▶ waiting ──(results)──▶ running
 *   waiting ──(its process wanted elsewhere)──▶ suspended ──(results: a fork of its session)──▶ running
 *   running ──(result line)──▶ finished
 *   running | waiting | suspended ──(abort, timeout, new message)──▶ abandoned
 *
 * It holds the lease (through its event source: closing the source ends or interrupts the turn),
 * the process's client tool server, the conversation turn (recorded when the CLI's result arrives,
 * before the client sees the end), the answer cache entry and the turn's metrics. Each HTTP request
 * answering it takes a `share`: the events up to the next pause or the end.
 */
import type { ClientToolServer, ToolResult } from "../claude/client-tool-server.js";
import type { UserContent } from "../claude/protocol.js";
import type { ConversationTurn } from "../conversations/conversation-turn.js";
import { AnswerSoFar, type KeptAnswer, keptAnswerOf } from "./answer-so-far.js";
import type { ParkedTurn, ParkedTurns } from "./parked-turns.js";
import type { RequestDeadline } from "./request-deadline.js";
import { TurnControl } from "./turn-control.js";
import type { TokenUsage, ToolCall, TurnEvent } from "./turn-event.js";
import { toolCallsEntry } from "./turn-message.js";

export type TurnState = "running" | "waiting" | "suspended" | "finished" | "abandoned";

/**
 * Runs the turn on a process: its first input, or — `forkArguments` set — the client's results in
 * a new process that resumes a fork of the session right after the calls.
 */
export type TurnRunner = (content: UserContent, forkArguments?: string[]) => AsyncIterable<TurnEvent>;

export interface TurnObservers {
  /** The first token of the answer (text, reasoning or a tool call), seconds after the start. */
  firstToken(seconds: number): void;
  /** The turn's end: the model that answered, its usage and cost. */
  finished(model: string, usage: TokenUsage, costUsd: number): void;
  /** The finished answer, for the cache: kept if it ended well, else undefined. */
  answered?(answer: KeptAnswer | undefined): void;
  /** The turn now waits for the client's tool results (its process idle meanwhile). */
  waiting?(): void;
}

export interface TurnIdentity {
  conversation: ConversationTurn;
  model: string;
  /** What the turn was started with: results under another system prompt or tool set are another agent's. */
  systemPrompt: string | undefined;
  toolsKey: string | undefined;
}

/** One request's view of a turn. */
export interface TurnShare {
  /** The conversation the turn belongs to (none for a one-off). */
  conversationId: string | undefined;
  model: string;
  /** Told again from the answer cache: no turn ran. */
  cached: boolean;
  /** The conversation's revision as of the share's end: its turns recorded so far. */
  revision(): number;
  events: AsyncIterable<TurnEvent>;
  /** Stops the turn (e.g. the client stopped reading): `reason` is what the events throw. */
  abort(reason: unknown): void;
  /** For a share whose events were never read (the response failed first): ends the turn. */
  cancel(): Promise<void>;
}

/** A client's result for one call, its images read: what the waiting turn's calls are answered with. */
export type AnsweredCall = { callId: string } & ToolResult;

export class EngineTurn implements ParkedTurn {
  private state: TurnState = "running";
  /** The running part's signal: each process the turn runs on gets its own. */
  private control = new TurnControl();
  /** The process's client tool server, once leased (turns with client tools). */
  server: ClientToolServer | undefined;
  /** The calls the turn waits on, as the client got them. */
  private pending: ToolCall[] = [];
  private source: AsyncIterator<TurnEvent> | undefined;
  private readonly startedAt = performance.now();
  private firstTokenSeen = false;
  /** Set while suspended: how a new process continues the session after the calls. */
  private forkArguments: string[] | undefined;

  constructor(
    readonly identity: TurnIdentity,
    private readonly waiting: ParkedTurns<EngineTurn>,
    private readonly observers: TurnObservers,
    private readonly runner: TurnRunner,
    /** Where the session can be forked right after the calls (see resume-points.ts). */
    private readonly forkArgumentsFor: (callIds: string[]) => string[] | undefined,
  ) {}

  /** Aborted when the turn's current part must stop (client gone, deadline, stream cut). */
  get signal(): AbortSignal {
    return this.control.signal;
  }

  /** Whether a process waits idle for this turn (a suspended turn holds none). */
  get holdsProcess(): boolean {
    return this.state === "waiting";
  }

  get conversation(): ConversationTurn {
    return this.identity.conversation;
  }
  get owner(): string {
    return this.identity.conversation.owner;
  }
  get conversationId(): string | undefined {
    return this.identity.conversation.conversationId;
  }
  get toolCallIds(): string[] {
    return this.pending.map((call) => call.id);
  }

  /** Runs the turn's first input; its events are read as requests take shares. */
  begin(content: UserContent): void {
    this.source = this.fold(this.runner(content))[Symbol.asyncIterator]();
  }

  /**
   * The client's results for the calls the turn waits on: it runs on (the caller takes a share) —
   * in its process, which waits for them, or, suspended, in a fork of its session that gets them
   * as the calls' results.
   */
  answer(results: readonly AnsweredCall[]): void {
    if (this.state === "suspended") {
      const byCall = new Map(results.map((result) => [result.callId, result]));
      const content = this.pending.map((call) => {
        const result = byCall.get(call.id);
        const images = (result?.images ?? []).map((image) => ({
          type: "image",
          source: { type: "base64", media_type: image.mediaType, data: image.data },
        }));
        return {
          type: "tool_result",
          tool_use_id: call.id,
          content: images.length > 0 ? [{ type: "text", text: result?.text ?? "" }, ...images] : (result?.text ?? ""),
          ...(result?.isError ? { is_error: true } : {}),
        };
      });
      this.state = "running";
      this.control = new TurnControl();
      this.source = this.fold(this.runner(content, this.forkArguments))[Symbol.asyncIterator]();
      return;
    }
    this.transition("waiting", "running");
    for (const { callId, ...result } of results) {
      const call = this.pending.find((pending) => pending.id === callId);
      this.server?.answer(callId, result, call);
    }
  }

  /**
   * Gives the waiting turn's process up (interrupted, then cleared for others) and keeps the turn:
   * the client's results later go to a fork of its session. false when the session cannot be
   * forked right after the calls (the caller abandons the turn instead).
   */
  suspend(): boolean {
    if (this.state !== "waiting") return false;
    const forkArguments = this.forkArgumentsFor(this.toolCallIds);
    if (!forkArguments) return false;
    this.state = "suspended";
    this.forkArguments = forkArguments;
    // Closing the source interrupts the turn and returns its process to the pool.
    void this.source?.return?.(undefined);
    this.source = undefined;
    this.server = undefined;
    return true;
  }

  /** This request's part of the turn: the events up to the next pause for tool calls, or the end. */
  share(deadline: RequestDeadline): TurnShare {
    this.control.link(deadline.signal);
    let ended = false;
    const end = (how: "paused" | "finished" | "stopped") => {
      if (ended) return;
      ended = true;
      this.control.detach();
      deadline.dispose();
      if (how === "paused" && this.server) {
        this.transition("running", "waiting");
        this.waiting.park(this);
        this.observers.waiting?.();
      } else if (how === "paused") {
        // No tool server will ever take results: the paused source is closed, or its process stays held.
        void this.source?.return?.(undefined);
        this.settle("abandoned");
      } else {
        this.settle(how === "finished" ? "finished" : "abandoned");
      }
    };
    const source = this.source;
    if (!source) throw new Error("the turn was shared before it began");
    const events = untilPause(source, end);
    return {
      conversationId: this.conversationId,
      model: this.identity.model,
      cached: false,
      revision: () => this.identity.conversation.revision,
      events,
      abort: (reason) => this.control.abort(reason),
      cancel: async () => {
        if (ended) return;
        await source.return?.(undefined);
        end("stopped");
      },
    };
  }

  /** Ends the turn wherever it is: interrupts it and answers its pending calls with an error. */
  abandon(reason: string): void {
    this.control.abort(new Error(reason));
    void this.source?.return?.(undefined);
    this.server?.abandon(reason);
    this.settle("abandoned");
  }

  private settle(state: "finished" | "abandoned"): void {
    if (this.state === "finished" || this.state === "abandoned") return;
    this.state = state;
    void this.identity.conversation.finish();
  }

  private transition(from: TurnState, to: TurnState): void {
    if (this.state !== from) throw new Error(`a ${this.state} turn cannot become ${to}`);
    this.state = to;
  }

  /**
   * Everything that watches the turn go by, in one pass over one answer so far: the pause (its tool
   * calls join the conversation's history), the record (before the client sees the end; a refusal
   * is not recorded — its process is cleared, the conversation stays where it was), the cache and
   * the metrics.
   */
  private async *fold(events: AsyncIterable<TurnEvent>): AsyncGenerator<TurnEvent> {
    const { conversation } = this.identity;
    let answer = new AnswerSoFar();
    let answered = false;
    const settleCache = (kept: KeptAnswer | undefined) => {
      if (answered) return;
      answered = true;
      this.observers.answered?.(kept);
    };
    try {
      for await (const event of events) {
        answer.add(event);
        if (
          !this.firstTokenSeen &&
          (event.type === "text" || event.type === "reasoning" || event.type === "tool_call")
        ) {
          this.firstTokenSeen = true;
          this.observers.firstToken((performance.now() - this.startedAt) / 1000);
        }
        if (event.type === "paused") {
          this.pending = [...answer.toolCalls];
          conversation.addExchange([toolCallsEntry(answer.content, answer.toolCalls)]);
          settleCache(undefined);
          answer = new AnswerSoFar();
        } else if (event.type === "finished") {
          const { model, usage, costUsd, finishReason, sessionId, lastMessageId } = event;
          this.observers.finished(model, usage, costUsd);
          if (finishReason !== "content_filter") {
            await conversation.complete({ text: answer.content, model, sessionId, lastMessageId });
          }
          const kept = keptAnswerOf(answer, { model, finishReason, usage });
          settleCache(finishReason === "stop" || finishReason === "length" ? kept : undefined);
        }
        yield event;
      }
    } finally {
      settleCache(undefined);
    }
  }
}

/**
 * The source's events up to a pause or the end. At a pause the turn is left running — its process
 * waits for the tool results, which a later request brings — so the source is not closed; anything
 * else (the end, an error, a client gone) closes it, which ends or interrupts the turn.
 */
async function* untilPause(
  source: AsyncIterator<TurnEvent>,
  onEnd: (how: "paused" | "finished" | "stopped") => void,
): AsyncGenerator<TurnEvent> {
  let paused = false;
  let finished = false;
  try {
    for (;;) {
      const next = await source.next();
      if (next.done) return;
      // Decided before yielding: a consumer that stops at this event resumes us in `finally`.
      const event = next.value;
      paused = event.type === "paused";
      finished = event.type === "finished";
      yield event;
      if (paused || event.type === "finished") return;
    }
  } finally {
    if (!paused) await source.return?.(undefined);
    onEnd(paused ? "paused" : finished ? "finished" : "stopped");
  }
}
