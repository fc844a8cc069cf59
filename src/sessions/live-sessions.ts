/**
 * The live sessions of this gateway: created with their own CLI process (leased from the pool with
 * the session's launch profile, so it counts against max_concurrent_sessions), found by id, ended
 * on DELETE, at shutdown, or after `sessions.idle_timeout_seconds` without a connected client.
 */
import type { LaunchProfile, ProcessNeeds } from "../claude/launch-profile.js";
import type { Configuration } from "../config/configuration-schema.js";
import { invalidRequest, notFound } from "../errors.js";
import { realPathInside } from "../file-access/real-path-inside.js";
import type { ProcessPool } from "../pool/process-pool.js";
import { LiveSession } from "./live-session.js";

export interface NewSession {
  model?: string;
  /** Inside the workspace or file_access.additional_dirs. */
  cwd?: string;
  permission_mode?: string;
  allowed_tools?: string[];
  system_prompt?: string;
}

export class LiveSessions {
  private readonly sessions = new Map<string, LiveSession>();
  private readonly reaper: NodeJS.Timeout;

  constructor(
    private readonly pool: ProcessPool,
    private readonly configuration: Configuration,
    private readonly launchProfile: (
      systemPrompt: string | undefined,
      needs: ProcessNeeds,
      cwd?: string,
    ) => LaunchProfile,
  ) {
    const idleMs = configuration.sessions.idle_timeout_seconds * 1000;
    this.reaper = setInterval(() => this.reap(idleMs), Math.min(idleMs, 30_000));
    this.reaper.unref();
  }

  async create(owner: string, request: NewSession, signal: AbortSignal): Promise<LiveSession> {
    const allowedModes = this.allowedModes();
    if (request.permission_mode !== undefined && !allowedModes.includes(request.permission_mode)) {
      throw invalidRequest(
        `permission_mode must be one of ${allowedModes.join(", ")}.`,
        "permission_mode",
        "invalid_value",
      );
    }
    const cwd = await this.checkedCwd(request.cwd);
    const profile = this.launchProfile(
      request.system_prompt,
      { permissionPrompts: true, permissionMode: request.permission_mode, allowedTools: request.allowed_tools },
      cwd,
    );
    const lease = await this.pool.lease(profile, signal);
    try {
      if (request.model) await lease.useModel(request.model);
    } catch (error) {
      lease.release(false);
      throw error;
    }
    const session = new LiveSession(
      owner,
      lease,
      { model: request.model, cwd, permissionMode: request.permission_mode, allowedModes },
      (ended) => this.sessions.delete(ended.id),
    );
    this.sessions.set(session.id, session);
    return session;
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

  private async checkedCwd(cwd: string | undefined): Promise<string> {
    const { claude, file_access: files } = this.configuration;
    if (cwd === undefined) return claude.workspace;
    const real = await realPathInside(cwd, [claude.workspace, ...files.additional_dirs]);
    if (real) return real;
    throw invalidRequest(
      "cwd must be an existing directory inside the workspace or file_access.additional_dirs.",
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
