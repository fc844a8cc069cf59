/**
 * The physical limit: warm CLI processes driven directly over stdio, no gateway in between, with
 * the command line the gateway's own model processes have (claudeArguments). Each timed turn is a
 * new conversation (a /clear runs between turns, untimed), like the gateway's requests.
 */
import { claudeArguments } from "../src/claude/claude-arguments.js";
import { ClaudeProcess } from "../src/claude/claude-process.js";
import type { Configuration } from "../src/config/configuration-schema.js";
import { silentLogger } from "../src/observability/logger.js";

export interface DirectOptions {
  command: string;
  configuration: Configuration;
  environment: NodeJS.ProcessEnv;
  model: string;
}

export class DirectProcesses {
  private constructor(private readonly processes: ClaudeProcess[]) {}

  static async start(count: number, options: DirectOptions): Promise<DirectProcesses> {
    const processes = Array.from(
      { length: count },
      () =>
        new ClaudeProcess({
          command: options.command,
          args: claudeArguments(options.configuration),
          cwd: options.configuration.claude.workspace,
          env: options.environment,
          logger: silentLogger(),
        }),
    );
    await Promise.all(
      processes.map(async (process) => {
        await process.sendControlRequest({ subtype: "initialize" }, 120_000);
        await process.sendControlRequest({ subtype: "set_model", model: options.model });
      }),
    );
    return new DirectProcesses(processes);
  }

  /**
   * One new-conversation turn on process `index`: `turn` is write → result (the physical limit of
   * a warm process); `cycle` adds the /clear that makes the process ready for the next one.
   */
  async turn(index: number, text: string): Promise<{ turn: number; cycle: number }> {
    const process = this.processes[index] as ClaudeProcess;
    const started = performance.now();
    await process.runQuietTurn(text);
    const turn = performance.now() - started;
    await process.runQuietTurn("/clear");
    return { turn, cycle: performance.now() - started };
  }

  /** Time to the first text token of a turn. */
  async timeToFirstToken(index: number, text: string): Promise<number> {
    const process = this.processes[index] as ClaudeProcess;
    const started = performance.now();
    let first = Number.NaN;
    for await (const line of process.startTurn(text)) {
      if (Number.isNaN(first) && line.type === "stream_event" && line.event.type === "content_block_delta") {
        first = performance.now() - started;
      }
    }
    await process.runQuietTurn("/clear");
    return first;
  }

  /**
   * Time to the first text token as a pool serves new conversations: turn `round` runs on process
   * `round % n` while the process that serves the next round runs its /clear alongside (the
   * conversation just answered keeps its process; another one is cleared for the next). Measured:
   * a process whose caches another process's turn has just cooled answers slower than one driven
   * turn after turn, so this — not a single hot process — is what a pool can reach.
   */
  async rotatingFirstToken(round: number, text: string): Promise<number> {
    const count = this.processes.length;
    const process = this.processes[round % count] as ClaudeProcess;
    const clearing = (this.processes[(round + 1) % count] as ClaudeProcess).runQuietTurn("/clear");
    const started = performance.now();
    let first = Number.NaN;
    for await (const line of process.startTurn(text)) {
      if (Number.isNaN(first) && line.type === "stream_event" && line.event.type === "content_block_delta") {
        first = performance.now() - started;
      }
    }
    await clearing;
    return first;
  }

  async close(): Promise<void> {
    await Promise.all(this.processes.map((process) => process.close()));
  }
}
