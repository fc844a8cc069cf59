/**
 * Leases a process, runs one turn on it and gives it back — whatever happens to the request.
 * A consumer that stops early (client gone, error) or an aborted signal (disconnect, deadline)
 * interrupts the turn (~5 ms; the process stays usable), waits for its `result`, and returns the
 * process to the pool. A process that does not end its turn within a grace period after the
 * interrupt is hung: it is killed. Nothing is leaked and no request waits forever.
 */
import { ClaudeProcessError } from "../claude/claude-process-error.js";
import type { LaunchProfile } from "../claude/launch-profile.js";
import type { TurnLine, UserContent } from "../claude/protocol.js";
import type { Turn } from "../claude/turn.js";
import { withTimeout } from "../with-timeout.js";
import type { ConversationBinding, ConversationClaim, Lease, ProcessPool } from "./process-pool.js";

export interface PooledTurnRequest {
  profile: LaunchProfile;
  model: string;
  content: UserContent;
  /** Aborted on client disconnect or deadline; its `reason` is what the consumer is thrown. */
  signal: AbortSignal;
  /** The turn continues this conversation's CLI session (see ProcessPool.lease). */
  claim?: ConversationClaim;
  /** Most processes the profile's owner may hold at once (auth.max_processes_per_key). */
  maxHeld?: number;
  /** Asked when the turn completed: the conversation the process should keep holding, if any. */
  keep?: () => ConversationBinding | undefined;
  /** The CLI effort level for this turn (undefined: its default). */
  effort?: string;
  /** Readies the leased process for this turn (e.g. the client's tools), after the model is set. */
  prepare?: (lease: Lease) => Promise<void>;
}

/** How long an interrupted turn may take to end before its process is killed. */
export const interruptGraceMs = 5_000;

/**
 * A process that dies before the turn produced any output (nothing can have reached the client,
 * and the model has not started answering) is replaced and the turn tried once more.
 */
export async function* runPooledTurn(pool: ProcessPool, request: PooledTurnRequest): AsyncGenerator<TurnLine> {
  let output = false;
  try {
    for await (const line of attemptTurn(pool, request)) {
      if (line.type !== "system") output = true;
      yield line;
    }
  } catch (error) {
    const died = error instanceof ClaudeProcessError && error.fault === "exited";
    if (output || !died || request.signal.aborted) throw error;
    yield* attemptTurn(pool, request);
  }
}

async function* attemptTurn(pool: ProcessPool, request: PooledTurnRequest): AsyncGenerator<TurnLine> {
  const { signal } = request;
  const lease = await pool.lease(request.profile, signal, request.claim, request.maxHeld);
  let turn: Turn | undefined;
  let completed = false;
  let killTimer: NodeJS.Timeout | undefined;
  const interrupt = () => {
    if (!turn || turn.isDone) return;
    lease.process.interrupt().catch(() => {});
    killTimer = setTimeout(() => void lease.process.kill(), interruptGraceMs);
  };
  try {
    await lease.useModel(request.model);
    await lease.useEffort(request.effort);
    await request.prepare?.(lease);
    signal.throwIfAborted();
    turn = lease.process.startTurn(request.content);
    signal.addEventListener("abort", interrupt, { once: true });
    for await (const line of turn) {
      if (line.type === "result") {
        completed = true;
        // An interrupted turn ends with an error result; the caller wants the reason it was cut.
        signal.throwIfAborted();
      }
      yield line;
    }
  } catch (error) {
    // A process killed after an abort fails the turn; the abort is the real story.
    signal.throwIfAborted();
    throw error;
  } finally {
    clearTimeout(killTimer);
    signal.removeEventListener("abort", interrupt);
    if (!turn || completed) lease.release(lease.process.isAlive, completed ? request.keep?.() : undefined);
    else void settleAbandonedTurn(lease, turn);
  }
}

/** The consumer stopped reading mid-turn: stop the turn, and reuse the process if it obeys. */
async function settleAbandonedTurn(lease: Lease, turn: Turn): Promise<void> {
  try {
    if (!turn.isDone) await lease.process.interrupt();
    await withTimeout(turn.result, interruptGraceMs, "the turn did not end after an interrupt");
    lease.release(true);
  } catch {
    lease.release(false);
  }
}
