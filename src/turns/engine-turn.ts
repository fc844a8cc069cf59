/**
 * One turn, from its first request to its end — the one owner of its state:
 *
 *   running ──(answer ends with client tool calls)──▶ waiting ──(results)──▶ running
 *   running ──(result line)──▶ finished          running | waiting ──(abort, timeout, new message)──▶ abandoned
 *
 * It holds the lease (through its event source: closing the source ends or interrupts the turn),
 * the process's client tool server, the conversation turn (recorded when the CLI's result arrives,
 * before the client sees the end), the answer cache entry and the turn's metrics. Each HTTP request
 * answering it takes a `share`: the events up to the next pause or the end.
 */
import type { ClientToolServer } from "../claude/client-tool-server.js";
import type { ConversationTurn } from "../conversations/conversation-turn.js";
import { AnswerSoFar, type KeptAnswer } from "./answer-so-far.js";
import type { ParkedTurn, ParkedTurns } from "./parked-turns.js";
import type { RequestDeadline } from "./request-deadline.js";
import { TurnControl } from "./turn-control.js";
import type { TokenUsage, ToolCall, TurnEvent } from "./turn-event.js";
import { toolCallsEntry } from "./turn-message.js";

export type TurnState = "running" | "waiting" | "finished" | "abandoned";

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

export class EngineTurn implements ParkedTurn {
  private state: TurnState = "running";
  readonly control = new TurnControl();
  /** The process's client tool server, once leased (turns with client tools). */
  server: ClientToolServer | undefined;
  /** The calls the turn waits on, as the client got them. */
  private pending: ToolCall[] = [];
  private source: AsyncIterator<TurnEvent> | undefined;
  private readonly startedAt = performance.now();

  constructor(
    readonly identity: TurnIdentity,
    private readonly waiting: ParkedTurns<EngineTurn>,
    private readonly observers: TurnObservers,
  ) {}

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

  /** Starts reading the turn's events (the CLI's output, already in the turn's terms). */
  begin(events: AsyncIterable<TurnEvent>): void {
    this.source = this.fold(events)[Symbol.asyncIterator]();
  }

  /** The client's results for the calls the turn waits on: it runs on (the caller takes a share). */
  answer(results: ReadonlyArray<{ callId: string; text: string }>): void {
    this.transition("waiting", "running");
    for (const { callId, text } of results) {
      const call = this.pending.find((pending) => pending.id === callId);
      this.server?.answer(callId, { text }, call);
    }
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
    let firstToken = true;
    let answered = false;
    const settleCache = (kept: KeptAnswer | undefined) => {
      if (answered) return;
      answered = true;
      this.observers.answered?.(kept);
    };
    try {
      for await (const event of events) {
        answer.add(event);
        if (firstToken && (event.type === "text" || event.type === "reasoning" || event.type === "tool_call")) {
          firstToken = false;
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
          const { content, refusal, reasoning } = answer;
          const created = Math.floor(Date.now() / 1000);
          const kept = { model, content, refusal, reasoning, finishReason, usage, created };
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
