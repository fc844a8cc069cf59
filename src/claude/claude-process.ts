/**
 * One long-lived `claude -p --input-format stream-json` process and the protocol on its pipes:
 * user turns, control requests in both directions, and its death. It knows nothing of pools or
 * HTTP; only the pool creates and ends these.
 */
import { type ChildProcess, spawn } from "node:child_process";
import type { Logger } from "../observability/logger.js";
import { ClaudeProcessError } from "./claude-process-error.js";
import { ControlChannel, type ControlRequestHandler } from "./control-channel.js";
import { type DecodedLine, LineDecoder } from "./line-decoder.js";
import type {
  ControlRequestLine,
  ControlResponseLine,
  HostLine,
  RateLimitEventLine,
  ResultLine,
  TurnLine,
  UserContent,
} from "./protocol.js";
import { type RateLimitReport, readRateLimitEvent } from "./rate-limit-report.js";
import { Turn } from "./turn.js";

export type { ControlRequestHandler } from "./control-channel.js";

export interface ClaudeProcessOptions {
  command: string;
  args: readonly string[];
  cwd: string;
  env: NodeJS.ProcessEnv;
  /** Run as this user and group (a room's own, when the gateway is root). */
  user?: { uid: number; gid: number };
  logger: Logger;
  /** Each `rate_limit_event` that names a usage window (the line still goes to its turn too). */
  onRateLimit?(report: RateLimitReport): void;
}

export interface ExitInfo {
  code: number | null;
  signal: NodeJS.Signals | null;
}

const stderrTailLength = 4096;
const defaultControlTimeoutMs = 30_000;

export class ClaudeProcess {
  readonly pid: number | undefined;
  /** Settles once, when the process is gone (never rejects). */
  readonly exited: Promise<ExitInfo>;
  private readonly child: ChildProcess;
  private readonly decoder = new LineDecoder();
  private readonly logger: Logger;
  private readonly onRateLimit: ((report: RateLimitReport) => void) | undefined;
  private readonly control = new ControlChannel((message) => this.write(message));
  private activeTurn: Turn | undefined;
  private exitInfo: ExitInfo | undefined;
  private stderrTail = "";
  private costSoFar = 0;

  constructor(options: ClaudeProcessOptions) {
    this.logger = options.logger;
    this.onRateLimit = options.onRateLimit;
    // detached: the CLI leads its own process group, so killing the group also ends the tools it
    // started (Bash, MCP servers). Stdin stays a pipe: when the gateway dies, EOF ends the CLI.
    this.child = spawn(options.command, [...options.args], {
      cwd: options.cwd,
      env: options.env,
      stdio: ["pipe", "pipe", "pipe"],
      detached: true,
      ...options.user,
    });
    this.pid = this.child.pid;
    this.exited = new Promise<ExitInfo>((resolve) => {
      this.child.once("exit", (code, signal) => resolve({ code, signal }));
      this.child.once("error", (error) => {
        // Spawn failures (ENOENT, EACCES) arrive here and no "exit" follows.
        this.stderrTail += `${error.message}\n`;
        if (this.pid === undefined) resolve({ code: null, signal: null });
      });
    }).then((info) => {
      this.onExit(info);
      return info;
    });
    this.child.stdin?.on("error", () => {}); // EPIPE after death is reported by "exit", not here
    this.child.stdout?.on("data", (chunk: Buffer) => this.onLines(this.decoder.push(chunk)));
    this.child.stdout?.on("end", () => this.onLines(this.decoder.end()));
    this.child.stderr?.on("data", (chunk: Buffer) => {
      const text = chunk.toString("utf8");
      this.stderrTail = (this.stderrTail + text).slice(-stderrTailLength);
      // What the CLI says on stderr (its `--debug mcp` traffic with mcp.debug) is the operator's
      // at debug level; the tail also goes with the error of a process that dies.
      this.logger.debug({ pid: this.pid, stderr: text.slice(0, 4096) }, "CLI stderr");
    });
  }

  get isAlive(): boolean {
    return this.exitInfo === undefined;
  }

  get isBusy(): boolean {
    return this.activeTurn !== undefined;
  }

  get stderr(): string {
    return this.stderrTail;
  }

  /** Registers the answer to one kind of CLI→host request; kinds without a handler get an error. */
  handleRequests(subtype: string, handler: ControlRequestHandler): void {
    this.control.handle(subtype, handler);
  }

  /** Sends a host→CLI control request and resolves with its response payload. */
  sendControlRequest(
    request: { subtype: string; [key: string]: unknown },
    timeoutMs = defaultControlTimeoutMs,
  ): Promise<unknown> {
    if (!this.isAlive) return Promise.reject(this.exitedError());
    return this.control.send(request, timeoutMs);
  }

  /** A line of the host's own for the running turn's reader (e.g. the client tool server's). */
  addHostLine(line: HostLine): void {
    this.activeTurn?.accept(line);
  }

  interrupt(): Promise<unknown> {
    return this.sendControlRequest({ subtype: "interrupt" }, 5_000);
  }

  /** Writes a user message and returns the turn it starts. One turn at a time. */
  startTurn(content: UserContent): Turn {
    if (!this.isAlive) throw this.exitedError();
    if (this.activeTurn) throw new ClaudeProcessError("busy", "a turn is already running on this process");
    // Written first: if the write throws, no turn is left marked active. Nothing can be read
    // back before the assignment below, so no line of this turn is missed.
    this.write({ type: "user", message: { role: "user", content }, parent_tool_use_id: null, session_id: "" });
    const turn = new Turn();
    this.activeTurn = turn;
    return turn;
  }

  /** Runs a whole turn and returns its result (for `/clear` and other turns nobody streams). */
  async runQuietTurn(content: UserContent): Promise<ResultLine> {
    return this.startTurn(content).result;
  }

  /**
   * Ends the process: stdin EOF first (the CLI exits cleanly on it), then SIGTERM and SIGKILL to
   * its whole process group if it lingers.
   */
  async close(graceMs = 2_000): Promise<ExitInfo> {
    if (this.isAlive) {
      this.child.stdin?.end();
      const timer = setTimeout(() => this.signalGroup("SIGTERM"), graceMs);
      const hardTimer = setTimeout(() => this.signalGroup("SIGKILL"), graceMs + 3_000);
      await this.exited;
      clearTimeout(timer);
      clearTimeout(hardTimer);
    }
    return this.exited;
  }

  /** Ends the process group at once (a hung or misbehaving process). */
  kill(): Promise<ExitInfo> {
    this.signalGroup("SIGKILL");
    return this.exited;
  }

  private signalGroup(signal: NodeJS.Signals): void {
    if (this.pid === undefined) return;
    try {
      process.kill(-this.pid, signal);
    } catch {
      // ESRCH: already gone
    }
  }

  private write(message: unknown): void {
    const stdin = this.child.stdin;
    if (!stdin || stdin.destroyed || !stdin.writable) throw this.exitedError();
    stdin.write(`${JSON.stringify(message)}\n`);
  }

  private exitedError(): ClaudeProcessError {
    const how = this.exitInfo
      ? `exited (code ${this.exitInfo.code}, signal ${this.exitInfo.signal})`
      : "is not running";
    const fault = this.pid === undefined ? "spawn_failed" : "exited";
    return new ClaudeProcessError(fault, `the Claude Code process ${how}`, this.stderrTail);
  }

  private onLines(lines: DecodedLine[]): void {
    for (const decoded of lines) {
      if (decoded.kind === "garbage") {
        this.logger.warn({ pid: this.pid, line: decoded.text.slice(0, 500) }, "ignored a non-JSON line from the CLI");
        continue;
      }
      const line = decoded.line;
      if (line.type === "rate_limit_event") this.reportRateLimit(line as RateLimitEventLine);
      if (line.type === "control_response") this.control.onResponse(line as ControlResponseLine);
      else if (line.type === "control_request") void this.control.onRequest(line as ControlRequestLine);
      else if (line.type === "keep_alive") continue;
      else if (this.activeTurn) {
        const turn = this.activeTurn;
        if (line.type === "result") {
          this.activeTurn = undefined;
          // The CLI reports cost per process, cumulatively: the turn's own is the difference.
          const result = line as ResultLine;
          const total = result.total_cost_usd ?? this.costSoFar;
          result.turn_cost_usd = Math.max(0, total - this.costSoFar);
          this.costSoFar = total;
        }
        turn.accept(line as TurnLine);
      } else {
        // Between turns the CLI may still print (e.g. set_model echoes a local-command line).
        this.logger.debug({ pid: this.pid, type: line.type }, "CLI line outside a turn");
      }
    }
  }

  private reportRateLimit(line: RateLimitEventLine): void {
    const report = readRateLimitEvent(line);
    if (report) this.onRateLimit?.(report);
    else this.logger.debug({ pid: this.pid, line }, "a rate_limit_event that names no window");
  }

  private onExit(info: ExitInfo): void {
    this.exitInfo = info;
    // Sweep the group: tools the CLI started must not outlive it.
    this.signalGroup("SIGKILL");
    const error = this.exitedError();
    this.control.failAll(error);
    if (this.activeTurn) {
      const turn = this.activeTurn;
      this.activeTurn = undefined;
      turn.abort(error);
    }
  }
}
