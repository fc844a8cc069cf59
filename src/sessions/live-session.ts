/**
 * A live session: one CLI process, held from the pool for the session's life, driven by any
 * number of WebSocket clients. Everything the CLI says is broadcast to every client, and kept
 * (whole messages, not token events, up to a bound) so a client connecting late gets the history
 * first. Permission questions (`can_use_tool`) go to the clients as `permission_request`; the
 * first answer wins. A message starts a turn only if the limits of the client's key admit it.
 */
import { randomBytes } from "node:crypto";
import type { ResultLine, UserContent } from "../claude/protocol.js";
import type { Lease } from "../pool/process-pool.js";
import { SessionHistory } from "./session-history.js";
import type { ClientMessage } from "./session-messages.js";
import { SessionPermissions } from "./session-permissions.js";

export interface SessionClient {
  send(message: unknown): void;
  close(code: number, reason: string): void;
  /**
   * Admits one turn against the limits of the client's key, as a request would be: resolves to
   * what ends it, or rejects (a 429, or 503 when the shared limits cannot be reached) and no turn
   * starts.
   */
  admitTurn(): Promise<() => void>;
}

export interface SessionOptions {
  model: string | undefined;
  cwd: string;
  permissionMode: string | undefined;
  /** Permission modes a client may switch to (the operator's limits). */
  allowedModes: readonly string[];
  /** Where file tools may work, whatever a client approves: the owner's room and additional_dirs. */
  allowedDirectories: readonly string[];
  /** Most bytes of history kept for late joiners. */
  maxHistoryBytes: number;
}

export type SessionState = "idle" | "running" | "ended";

export class LiveSession {
  readonly id = `sess_${randomBytes(24).toString("hex")}`;
  readonly createdAt = Math.floor(Date.now() / 1000);
  state: SessionState = "idle";
  turns = 0;
  costUsd = 0;
  lastActiveAt = Date.now();
  private readonly clients = new Set<SessionClient>();
  private readonly history: SessionHistory;
  private readonly permissions: SessionPermissions;
  private model: string | undefined;
  private permissionMode: string | undefined;
  /** Settings changes in flight: a message sent after them must not start its turn before them. */
  private settling: Promise<unknown> = Promise.resolve();
  /** The last message's admission: the next is judged after it (see `admit`). */
  private admitting: Promise<unknown> = Promise.resolve();

  constructor(
    /** The owner id of the key that created it: only that key sees and drives it. */
    readonly owner: string,
    private readonly lease: Lease,
    private readonly options: SessionOptions,
    private readonly onEnd: (session: LiveSession) => void,
  ) {
    this.model = options.model;
    this.history = new SessionHistory(options.maxHistoryBytes);
    this.permissionMode = options.permissionMode;
    this.permissions = new SessionPermissions(options.cwd, options.allowedDirectories, (message) =>
      this.broadcast(message),
    );
    lease.process.handleRequests("can_use_tool", (request) => this.permissions.ask(request));
    void lease.process.exited.then(() => this.end("the CLI process exited"));
  }

  get pid(): number | undefined {
    return this.lease.process.pid;
  }

  describe() {
    return {
      id: this.id,
      object: "session" as const,
      created_at: this.createdAt,
      state: this.state,
      model: this.model ?? null,
      cwd: this.options.cwd,
      permission_mode: this.permissionMode ?? "default",
      turns: this.turns,
      cost_usd: this.costUsd,
      clients: this.clients.size,
    };
  }

  /** A new client: the session as it is, then what is kept of everything said so far. */
  attach(client: SessionClient): void {
    this.clients.add(client);
    this.lastActiveAt = Date.now();
    client.send({ type: "session_init", session: this.describe() });
    for (const message of this.history.replay()) client.send(message);
  }

  detach(client: SessionClient): void {
    this.clients.delete(client);
    this.lastActiveAt = Date.now();
  }

  get clientCount(): number {
    return this.clients.size;
  }

  async handle(client: SessionClient, message: ClientMessage): Promise<void> {
    this.lastActiveAt = Date.now();
    const fail = (text: string, code: string) => client.send({ type: "error", message: text, code });
    if (this.state === "ended") return fail("The session has ended.", "session_ended");
    switch (message.type) {
      case "user_message": {
        const admitted = this.admitting.then(() => this.admit(client));
        this.admitting = admitted.catch(() => {});
        // Throws past the key's limits, before anything changed: the caller tells the client.
        const release = await admitted;
        if (release) return this.runTurn(release, message.content);
        if (this.state === "running") fail("A turn is running: wait for its result, or interrupt it.", "turn_running");
        return;
      }
      case "interrupt":
        if (this.state !== "running") return fail("No turn is running.", "not_running");
        await this.lease.process.interrupt().catch(() => {});
        return;
      case "set_model":
        await this.settle(this.lease.process.sendControlRequest({ subtype: "set_model", model: message.model }));
        this.model = message.model;
        return;
      case "set_permission_mode":
        if (!this.options.allowedModes.includes(message.mode)) {
          return fail(`Permission mode '${message.mode}' is not allowed here.`, "invalid_permission_mode");
        }
        await this.settle(
          this.lease.process.sendControlRequest({ subtype: "set_permission_mode", mode: message.mode }),
        );
        this.permissionMode = message.mode;
        return;
      case "permission_response": {
        const problem = await this.permissions.answer(message);
        if (problem) fail(problem.message, problem.code);
        return;
      }
    }
  }

  /** Ends the CLI process and tells every client. Idempotent. */
  end(reason: string): void {
    if (this.state === "ended") return;
    this.state = "ended";
    this.permissions.denyAll(reason);
    this.lease.release(false);
    for (const client of this.clients) {
      client.send({ type: "error", message: `The session ended: ${reason}.`, code: "session_ended" });
      client.close(1000, "session ended");
    }
    this.clients.clear();
    this.onEnd(this);
  }

  private settle<T>(change: Promise<T>): Promise<T> {
    this.settling = this.settling.then(() => change).catch(() => {});
    return change;
  }

  /**
   * The turn of a message, admitted by the key's limits and the session running it; undefined when
   * the session is not idle. Messages are admitted one at a time, each after the one before it is
   * running or refused: the limits may answer from Redis, and a burst must neither start two turns
   * nor find the session busy with a turn that the limits are about to refuse.
   */
  private async admit(client: SessionClient): Promise<(() => void) | undefined> {
    if (this.state !== "idle") return undefined;
    const release = await client.admitTurn();
    if (this.state !== "idle") {
      release(); // the session ended meanwhile
      return undefined;
    }
    this.state = "running";
    return release;
  }

  private async runTurn(release: () => void, content: UserContent): Promise<void> {
    await this.settling.catch(() => {});
    try {
      for await (const line of this.lease.process.startTurn(content)) {
        if (line.type === "result") {
          this.turns++;
          this.costUsd = (line as ResultLine).total_cost_usd ?? this.costUsd;
        }
        this.broadcast(line as unknown as { type: string });
      }
    } catch (error) {
      this.broadcast({ type: "error", message: `The turn failed: ${String(error)}`, code: "turn_failed" });
    } finally {
      release();
      if (this.state === "running") this.state = "idle";
      this.lastActiveAt = Date.now();
    }
  }

  private broadcast(message: { type: string; [key: string]: unknown }): void {
    // Late joiners get whole messages; the token-by-token events are for those watching live.
    if (message.type !== "stream_event") this.history.add(message);
    for (const client of this.clients) client.send(message);
  }
}
