/**
 * One user turn on a CLI process: the lines it produces, in order, ending with its `result`.
 * The CLI merges user messages written while a turn runs into one turn, so a process runs at most
 * one Turn at a time and the next user line is written only after this one's result.
 */
import { AsyncQueue } from "./async-queue.js";
import type { ResultLine, TurnLine } from "./protocol.js";

export class Turn implements AsyncIterable<TurnLine> {
  private readonly lines = new AsyncQueue<TurnLine>();
  private resolveResult!: (result: ResultLine) => void;
  private rejectResult!: (error: unknown) => void;
  private ended = false;
  /** Settles when the turn ends: with its result line, or with the process fault that ended it. */
  readonly result: Promise<ResultLine>;

  constructor() {
    this.result = new Promise<ResultLine>((resolve, reject) => {
      this.resolveResult = resolve;
      this.rejectResult = reject;
    });
    // Nobody may be awaiting `result` (a consumer that reads lines sees the same failure there).
    this.result.catch(() => {});
  }

  /** True once the result arrived or the process died (not when a reader merely stopped reading). */
  get isDone(): boolean {
    return this.ended;
  }

  /** Called by the process for each line of this turn. */
  accept(line: TurnLine): void {
    this.lines.push(line);
    if (line.type === "result") {
      this.ended = true;
      this.lines.end();
      this.resolveResult(line as ResultLine);
    }
  }

  /** Called by the process when it dies or is killed mid-turn. */
  abort(error: unknown): void {
    this.ended = true;
    this.lines.fail(error);
    this.rejectResult(error);
  }

  [Symbol.asyncIterator](): AsyncIterator<TurnLine> {
    return this.lines;
  }
}
