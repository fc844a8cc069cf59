/**
 * The live sessions of this gateway: created with their own CLI process (leased from the pool with
 * the session's launch profile, so it counts against max_concurrent_sessions), found by id, ended
 * on DELETE, at shutdown, or after `sessions.idle_timeout_seconds` without a connected client. It
 * also caps their clients, per session and per key. With instances sharing a Redis, each session's
 * instance is recorded there: a request for it that lands on another instance is sent on to it.
 */
import { type Caller, requireGrant } from "../auth/caller.js";
import type { Cluster } from "../cluster/cluster.js";
import { OwnedElsewhere, sessionGone } from "../cluster/cluster-errors.js";
import type { Configuration } from "../config/configuration-schema.js";
import { GatewayError, invalidRequest, notFound } from "../errors.js";
import { realPathInside } from "../file-access/real-path-inside.js";
import type { ProcessPool } from "../pool/process-pool.js";
import type { LaunchProfiles } from "../rooms/launch-profiles.js";
import { storeUnavailable } from "../store/store-unavailable.js";
import { LiveSession } from "./live-session.js";

export interface NewSession {
  model?: string;
  /** Inside the owner's room (its workspace) or file_access.additional_dirs. */
  cwd?: string;
  permission_mode?: string;
  allowed_tools?: string[];
  system_prompt?: string;
}

/** Tools whose every use the gateway checks (paths, addresses): never allowed up front by a client. */
const checkedTools = new Set([
  "Read",
  "Write",
  "Edit",
  "MultiEdit",
  "NotebookEdit",
  "Glob",
  "Grep",
  "LS",
  "WebFetch",
  "WebSearch",
]);

export class LiveSessions {
  private readonly sessions = new Map<string, LiveSession>();
  private readonly reaper: NodeJS.Timeout;

  constructor(
    private readonly pool: ProcessPool,
    private readonly configuration: Configuration,
    private readonly profiles: LaunchProfiles,
    private readonly cluster: Pick<Cluster, "sessionStarted" | "sessionEnded" | "session">,
  ) {
    const idleMs = configuration.sessions.idle_timeout_seconds * 1000;
    this.reaper = setInterval(() => this.reap(idleMs), Math.min(idleMs, 30_000));
    this.reaper.unref();
  }

  /**
   * A session is Claude Code as an agent driven by its client: only for callers granted
   * "sessions", in the caller's room, sandboxed like any agent, its processes counted against the
   * caller's cap.
   */
  async create(caller: Caller, request: NewSession, signal: AbortSignal): Promise<LiveSession> {
    requireGrant(caller, "sessions", "Starting a live session");
    const { owner } = caller;
    const unchecked = request.allowed_tools?.find((tool) => checkedTools.has(tool.replace(/\(.*$/, "")));
    if (unchecked !== undefined) {
      throw invalidRequest(
        `allowed_tools may not include ${unchecked}: file and web tools are approved one use at a time, so the gateway can check each path and address.`,
        "allowed_tools",
        "tool_not_allowed",
      );
    }
    const allowedModes = this.allowedModes();
    if (request.permission_mode !== undefined && !allowedModes.includes(request.permission_mode)) {
      throw invalidRequest(
        `permission_mode must be one of ${allowedModes.join(", ")}.`,
        "permission_mode",
        "invalid_value",
      );
    }
    const allowedDirectories = [this.profiles.agentRoom(owner).cwd, ...this.configuration.file_access.additional_dirs];
    const cwd = await this.checkedCwd(request.cwd, allowedDirectories);
    const profile = this.profiles.forRequest(
      owner,
      request.system_prompt,
      {
        agent: true,
        permissionPrompts: true,
        permissionMode: request.permission_mode,
        allowedTools: request.allowed_tools,
      },
      cwd,
    );
    const lease = await this.pool.lease(profile, signal, undefined, caller.limits.maxProcesses);
    try {
      if (request.model) await lease.useModel(request.model);
    } catch (error) {
      lease.release(false);
      throw error;
    }
    const session = new LiveSession(
      owner,
      lease,
      {
        model: request.model,
        cwd,
        permissionMode: request.permission_mode,
        allowedModes,
        allowedDirectories,
        maxHistoryBytes: this.configuration.sessions.max_history_kb * 1024,
      },
      (ended) => {
        this.sessions.delete(ended.id);
        this.cluster.sessionEnded(ended.owner, ended.id);
      },
    );
    this.sessions.set(session.id, session);
    try {
      await this.cluster.sessionStarted(owner, session.id);
    } catch (error) {
      // Unrecorded, no other instance could find it: it is not started at all.
      session.end("its instance could not be recorded");
      throw storeUnavailable(error);
    }
    return session;
  }

  /**
   * The owner's session, wherever it runs: here, or — OwnedElsewhere — on another instance, which
   * the request is sent to. A session whose instance is gone is 410 session_gone.
   */
  async locate(owner: string, id: string): Promise<LiveSession> {
    const here = this.find(owner, id);
    if (here) return here;
    const where = await this.cluster.session(owner, id);
    if (where.kind === "elsewhere") throw new OwnedElsewhere(where.instance, sessionGone());
    if (where.kind === "gone") throw sessionGone();
    return this.get(owner, id);
  }

  /** The owner's session; another owner's is not found. */
  get(owner: string, id: string): LiveSession {
    const session = this.find(owner, id);
    if (!session) throw notFound(`No session found with id '${id}'.`, "session_not_found");
    return session;
  }

  find(owner: string, id: string): LiveSession | undefined {
    const session = this.sessions.get(id);
    return session?.owner === owner ? session : undefined;
  }

  /**
   * The refusal (429 too_many_clients) of a new client of `session` when the session, or its key
   * across all its sessions, has as many as allowed: every client is sent the history and every
   * message, so each one costs.
   */
  checkClientCaps(session: LiveSession): GatewayError | undefined {
    const { max_clients_per_session: perSession, max_clients_per_key: perKey } = this.configuration.sessions;
    if (session.clientCount >= perSession) {
      return tooManyClients(`This session already has ${perSession} clients connected, as many as allowed.`);
    }
    const ofKey = this.list(session.owner).reduce((sum, each) => sum + each.clientCount, 0);
    if (ofKey >= perKey) {
      return tooManyClients(`This key already has ${perKey} session clients connected, as many as allowed.`);
    }
    return undefined;
  }

  get count(): number {
    return this.sessions.size;
  }

  list(owner: string): LiveSession[] {
    return [...this.sessions.values()].filter((session) => session.owner === owner);
  }

  close(): void {
    clearInterval(this.reaper);
    for (const session of this.sessions.values()) session.end("the gateway is shutting down");
  }

  /** Bypassing permissions is the operator's decision, never a client's. */
  private allowedModes(): string[] {
    const modes = ["default", "acceptEdits", "plan", "dontAsk"];
    return this.configuration.file_access.skip_permissions ? [...modes, "bypassPermissions"] : modes;
  }

  private async checkedCwd(cwd: string | undefined, allowed: string[]): Promise<string> {
    if (cwd === undefined) return allowed[0] as string;
    const real = await realPathInside(cwd, allowed);
    if (real) return real;
    throw invalidRequest(
      "cwd must be an existing directory inside your room's workspace or file_access.additional_dirs.",
      "cwd",
      "cwd_not_allowed",
    );
  }

  private reap(idleMs: number): void {
    const now = Date.now();
    for (const session of this.sessions.values()) {
      if (session.clientCount === 0 && session.state !== "running" && now - session.lastActiveAt >= idleMs) {
        session.end("no client was connected");
      }
    }
  }
}

function tooManyClients(message: string): GatewayError {
  return new GatewayError(message, { status: 429, type: "rate_limit_error", code: "too_many_clients" });
}
