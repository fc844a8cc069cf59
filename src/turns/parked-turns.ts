/**
 * Turns that answered with tool calls and wait, with their CLI process, for the client's results.
 * A later request that brings results for a parked turn's calls takes it back; one that never
 * comes lets the turn be abandoned after `tools.pending_timeout_seconds` (its process is
 * interrupted and reused). Keyed by tool call id, so results can only reach the turn that asked.
 * The watcher learns of each turn parked and removed (other instances find it through it).
 */
export interface ParkedTurn {
  toolCallIds: string[];
  conversationId: string | undefined;
  /** Whose turn it is: nobody else may take or end it. */
  owner: string;
  /** Ends the turn: interrupts it and answers its pending calls with an error. */
  abandon(reason: string): void;
  /** Whether a process waits idle for the turn (default: yes). */
  readonly holdsProcess?: boolean;
  /** Gives its process up but keeps waiting for the results; false if it cannot. */
  suspend?(): boolean;
}

export interface ParkedTurnsWatcher {
  parked(turn: ParkedTurn, remainingMs: number): void;
  removed(turn: ParkedTurn): void;
}

export class ParkedTurns<T extends ParkedTurn> {
  private readonly byCall = new Map<string, T>();
  private readonly timers = new Map<T, NodeJS.Timeout>();
  /** When each parked turn is abandoned: set when it is parked, kept when it is put back. */
  private readonly deadlines = new WeakMap<T, number>();

  constructor(
    private readonly timeoutMs: number,
    private readonly watcher?: ParkedTurnsWatcher,
  ) {}

  park(turn: T): void {
    for (const id of turn.toolCallIds) this.byCall.set(id, turn);
    const deadline = this.deadlines.get(turn) ?? Date.now() + this.timeoutMs;
    this.deadlines.set(turn, deadline);
    const timer = setTimeout(
      () => {
        if (this.remove(turn)) turn.abandon("The client did not send the tool results in time.");
      },
      Math.max(0, deadline - Date.now()),
    );
    timer.unref();
    this.timers.set(turn, timer);
    this.watcher?.parked(turn, deadline - Date.now());
  }

  /**
   * The owner's parked turn these tool call ids belong to (removed from the registry), if exactly
   * one. Another owner's turns are not seen at all: nothing about them changes.
   */
  take(owner: string, toolCallIds: string[]): T | "several" | undefined {
    const turns = new Set(
      toolCallIds.map((id) => this.byCall.get(id)).filter((turn) => turn !== undefined && turn.owner === owner),
    );
    if (turns.size > 1) return "several";
    const [turn] = turns;
    if (turn) this.remove(turn);
    return turn;
  }

  /**
   * Puts a turn back (its results were incomplete or refused), its deadline unchanged: results
   * sent again and again must not keep a turn, its process and its conversation's lock for ever.
   */
  restore(turn: T): void {
    this.park(turn);
  }

  /**
   * A new message of the owner's for this conversation, ignoring its pending calls, ends the parked
   * turn. Another owner's message ends nothing (and learns nothing): the id is checked first.
   */
  abandonConversation(owner: string, conversationId: string): boolean {
    for (const turn of new Set(this.byCall.values())) {
      if (turn.owner === owner && turn.conversationId === conversationId && this.remove(turn)) {
        turn.abandon("A new message was sent instead of the tool results.");
        return true;
      }
    }
    return false;
  }

  /**
   * Frees the process of the turn that has waited longest (its process is wanted elsewhere):
   * suspended if it can be (its results go on later), else abandoned. false if no turn holds one.
   */
  releaseOldest(reason: string): boolean {
    for (const turn of this.timers.keys()) {
      if (turn.holdsProcess === false) continue;
      if (turn.suspend?.()) return true;
      this.remove(turn);
      turn.abandon(reason);
      return true;
    }
    return false;
  }

  abandonAll(reason: string): void {
    for (const turn of new Set(this.byCall.values())) if (this.remove(turn)) turn.abandon(reason);
  }

  get size(): number {
    return this.timers.size;
  }

  private remove(turn: T): boolean {
    const timer = this.timers.get(turn);
    if (!timer) return false;
    clearTimeout(timer);
    this.timers.delete(turn);
    for (const id of turn.toolCallIds) this.byCall.delete(id);
    this.watcher?.removed(turn);
    return true;
  }
}
