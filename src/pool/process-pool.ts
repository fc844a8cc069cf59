/**
 * Warm CLI processes, keyed by launch profile. The only place that spawns and ends CLI processes.
 *
 * A request leases a process for its profile, preferring (1) an idle process already initialized
 * for exactly that profile, most recently used first; (2) a booted spare with the same command
 * line, initialized now (~5 ms); (3) a spare still booting; (4) a new process if under the limit;
 * (5) a new process in place of the least recently used idle one. Otherwise it waits in a bounded
 * queue; past that it gets 429. After the turn the process is `/clear`ed (~15 ms) and waits again,
 * so cold spawns (~0.6 s) stay off the request path.
 */
import type { ClaudeProcess } from "../claude/claude-process.js";
import type { LaunchProfile } from "../claude/launch-profile.js";
import { GatewayError } from "../errors.js";
import type { Logger } from "../observability/logger.js";
import { type MemberState, PoolMember } from "./pool-member.js";

export interface ProcessPoolOptions {
  spawnProcess(profile: LaunchProfile): ClaudeProcess;
  /** The profile spares are spawned with (its command line; spares are not yet initialized). */
  spareProfile: LaunchProfile;
  maxProcesses: number;
  maxQueued: number;
  /** Booted spares kept ready (0 when processes are not reused). */
  minSpares: number;
  idleTimeoutMs: number;
  /** false: every lease gets a fresh process, ended afterwards (spawn per request). */
  reuse: boolean;
  logger: Logger;
  bootTimeoutMs?: number;
  clearTimeoutMs?: number;
  /** Called with the CLI's `get_settings` answer when a process has booted. */
  onBoot?(settings: unknown): void;
}

export interface Lease {
  readonly process: ClaudeProcess;
  /** Switches the process to `model` (set_model, ~5 ms) unless it is already on it. */
  useModel(model: string): Promise<void>;
  /** Gives the process back: cleared and kept when `reusable`, ended otherwise. Idempotent. */
  release(reusable: boolean): void;
}

export interface PoolSnapshot {
  processes: number;
  states: Record<MemberState, number>;
  queued: number;
  spawned: number;
  crashed: number;
  members: Array<{ pid: number | undefined; state: MemberState; profile: string | null }>;
}

interface Waiter {
  profile: LaunchProfile;
  resolve(lease: Lease): void;
  reject(error: unknown): void;
  signal: AbortSignal | undefined;
  onAbort(): void;
  settled: boolean;
  retried: boolean;
}

export class ProcessPool {
  private readonly members = new Set<PoolMember>();
  private readonly waiters: Waiter[] = [];
  private readonly reaper: NodeJS.Timeout;
  private closed = false;
  private consecutiveBootFailures = 0;
  private replenishTimer: NodeJS.Timeout | undefined;
  private averageLeaseMs = 1_000;
  private spawned = 0;
  private crashed = 0;

  constructor(private readonly options: ProcessPoolOptions) {
    this.reaper = setInterval(() => this.reap(), Math.min(options.idleTimeoutMs, 30_000));
    this.reaper.unref();
  }

  /** Starts the warm spares. */
  start(): void {
    this.replenish();
  }

  lease(profile: LaunchProfile, signal?: AbortSignal): Promise<Lease> {
    if (this.closed) return Promise.reject(shuttingDown());
    if (signal?.aborted) return Promise.reject(signal.reason);
    return new Promise<Lease>((resolve, reject) => {
      const waiter: Waiter = {
        profile,
        resolve,
        reject,
        signal,
        settled: false,
        retried: false,
        onAbort: () => {
          if (waiter.settled) return;
          waiter.settled = true;
          this.removeWaiter(waiter);
          reject(signal?.reason);
        },
      };
      signal?.addEventListener("abort", waiter.onAbort, { once: true });
      const served = this.tryServe(waiter);
      if (served === "served") return;
      if (served === "none" && this.waiters.length >= this.options.maxQueued) {
        waiter.settled = true;
        signal?.removeEventListener("abort", waiter.onAbort);
        reject(queueFull(this.retryAfterSeconds()));
        return;
      }
      this.waiters.push(waiter);
    });
  }

  snapshot(): PoolSnapshot {
    const states: Record<MemberState, number> = {
      starting: 0,
      spare: 0,
      preparing: 0,
      leased: 0,
      clearing: 0,
      idle: 0,
    };
    for (const member of this.members) states[member.state]++;
    return {
      processes: this.members.size,
      states,
      queued: this.waiters.length,
      spawned: this.spawned,
      crashed: this.crashed,
      members: [...this.members].map((member) => ({
        pid: member.process.pid,
        state: member.state,
        profile: member.profileKey ?? null,
      })),
    };
  }

  /** Rejects waiting requests and ends every process. */
  async close(): Promise<void> {
    this.closed = true;
    clearInterval(this.reaper);
    clearTimeout(this.replenishTimer);
    for (const waiter of this.waiters.splice(0)) this.settle(waiter, undefined, shuttingDown());
    const members = [...this.members];
    this.members.clear();
    await Promise.all(members.map((member) => member.process.close(1_000)));
  }

  /** "served": a process is being readied for it; "soon": its hot process is clearing; "none". */
  private tryServe(waiter: Waiter): "served" | "soon" | "none" {
    const member = this.pickMember(waiter.profile);
    if (member === "soon" || member === undefined) return member ?? "none";
    void this.prepare(member, waiter);
    return "served";
  }

  private pickMember(profile: LaunchProfile): PoolMember | "soon" | undefined {
    let best: PoolMember | undefined;
    let clearing = false;
    for (const member of this.members) {
      if (member.profileKey !== profile.key) continue;
      if (member.state === "idle" && (!best || member.lastUsedAt > best.lastUsedAt)) best = member;
      if (member.state === "clearing") clearing = true;
    }
    // A process of this profile finishing its /clear (~15 ms) beats a spare, whose first API turn
    // runs ~100 ms slower, and keeps the pool from growing under sequential traffic.
    if (!best && clearing) return "soon";
    best ??= this.find((member) => member.state === "spare" && member.spawnKey === profile.spawnKey);
    if (best) {
      best.state = "preparing";
      return best;
    }
    const booting = this.find(
      (member) => member.state === "starting" && !member.claimed && member.spawnKey === profile.spawnKey,
    );
    if (booting) {
      booting.claimed = true;
      return booting;
    }
    if (this.members.size < this.options.maxProcesses) return this.spawnMember(profile, true);
    let victim: PoolMember | undefined;
    for (const member of this.members) {
      if ((member.state === "idle" || member.state === "spare") && (!victim || member.lastUsedAt < victim.lastUsedAt)) {
        victim = member;
      }
    }
    if (!victim) return undefined;
    this.retire(victim, "evicted for another launch profile");
    return this.spawnMember(profile, true);
  }

  private async prepare(member: PoolMember, waiter: Waiter): Promise<void> {
    // A process that was already warm and died between requests is worth one retry elsewhere;
    // one that never booted points at a broken CLI, and the client should hear about it.
    const wasWarm = member.state === "preparing";
    try {
      await member.booted;
      if (!member.process.isAlive) throw new Error("the process exited while idle");
      if (member.profileKey === undefined) {
        member.state = "preparing";
        await member.process.sendControlRequest({ subtype: "initialize", ...waiter.profile.initialize });
        member.profileKey = waiter.profile.key;
      }
    } catch (error) {
      this.retire(member, "failed to start");
      if (waiter.settled) return;
      if (wasWarm && !waiter.retried) {
        // A warm process died between requests: try once more with another.
        waiter.retried = true;
        if (this.tryServe(waiter) !== "served") this.waiters.unshift(waiter);
        return;
      }
      this.settle(waiter, undefined, unavailable(error, member.process.stderr));
      return;
    }
    if (this.closed) {
      this.settle(waiter, undefined, shuttingDown());
      return;
    }
    if (waiter.settled) {
      // The request went away while its process was being readied: keep the process for others.
      this.makeAvailable(member);
      return;
    }
    member.state = "leased";
    member.leasedAt = Date.now();
    this.settle(waiter, this.createLease(member));
  }

  private settle(waiter: Waiter, lease: Lease | undefined, error?: unknown): void {
    waiter.settled = true;
    waiter.signal?.removeEventListener("abort", waiter.onAbort);
    if (lease) waiter.resolve(lease);
    else waiter.reject(error);
  }

  private createLease(member: PoolMember): Lease {
    let released = false;
    return {
      process: member.process,
      useModel: async (model) => {
        if (member.model === model) return;
        await member.process.sendControlRequest({ subtype: "set_model", model });
        member.model = model;
      },
      release: (reusable) => {
        if (released) return;
        released = true;
        this.onRelease(member, reusable);
      },
    };
  }

  private onRelease(member: PoolMember, reusable: boolean): void {
    const heldMs = Date.now() - member.leasedAt;
    this.averageLeaseMs = this.averageLeaseMs * 0.8 + heldMs * 0.2;
    if (!this.options.reuse || !reusable || !member.process.isAlive || this.closed) {
      this.retire(member, reusable ? "not reused" : "not reusable after its turn");
      this.dispatch();
      return;
    }
    member.state = "clearing";
    void this.clear(member);
  }

  /** `/clear` resets the conversation (new session id, no earlier turn in the next request). */
  private async clear(member: PoolMember): Promise<void> {
    const timeoutMs = this.options.clearTimeoutMs ?? 10_000;
    let timer: NodeJS.Timeout | undefined;
    try {
      await Promise.race([
        member.process.runQuietTurn("/clear"),
        new Promise((_, reject) => {
          timer = setTimeout(() => reject(new Error(`/clear took over ${timeoutMs} ms`)), timeoutMs);
        }),
      ]);
    } catch (error) {
      this.options.logger.warn({ pid: member.process.pid, error: String(error) }, "clearing a process failed");
      this.retire(member, "clear failed");
      this.dispatch();
      return;
    } finally {
      clearTimeout(timer);
    }
    this.makeAvailable(member);
  }

  private makeAvailable(member: PoolMember): void {
    if (!this.members.has(member)) return;
    member.state = member.profileKey === undefined ? "spare" : "idle";
    member.lastUsedAt = Date.now();
    this.dispatch();
  }

  private dispatch(): void {
    for (const waiter of [...this.waiters]) {
      if (waiter.settled) {
        this.removeWaiter(waiter);
        continue;
      }
      if (this.tryServe(waiter) === "served") this.removeWaiter(waiter);
    }
    this.replenish();
  }

  private removeWaiter(waiter: Waiter): void {
    const index = this.waiters.indexOf(waiter);
    if (index >= 0) this.waiters.splice(index, 1);
  }

  private spawnMember(profile: LaunchProfile, claimed: boolean): PoolMember {
    const process = this.options.spawnProcess(profile);
    this.spawned++;
    const member = new PoolMember(process, profile.spawnKey, (booting) => this.probe(booting));
    member.claimed = claimed;
    this.members.add(member);
    this.options.logger.debug({ pid: process.pid, profile: profile.key, claimed }, "spawned a CLI process");
    member.booted.then(
      () => {
        this.consecutiveBootFailures = 0;
        if (member.state === "starting" && !member.claimed) this.makeAvailable(member);
      },
      (error) => {
        this.options.logger.warn(
          { pid: process.pid, error: String(error), stderr: process.stderr.slice(-500) },
          "a CLI process failed to boot",
        );
        if (member.claimed) return; // its waiter reports the failure
        this.consecutiveBootFailures++;
        this.retire(member, "failed to boot");
      },
    );
    void process.exited.then((exit) => {
      if (!this.members.has(member)) return;
      this.members.delete(member);
      this.crashed++;
      this.options.logger.warn(
        { pid: process.pid, state: member.state, ...exit, stderr: process.stderr.slice(-500) },
        "a CLI process exited unexpectedly",
      );
      this.dispatch();
    });
    return member;
  }

  /**
   * A process prints nothing until its first input; `get_settings` is answered once it has booted
   * and, unlike `initialize`, leaves the system prompt to be chosen later.
   */
  private async probe(process: ClaudeProcess): Promise<void> {
    try {
      const settings = await process.sendControlRequest(
        { subtype: "get_settings" },
        this.options.bootTimeoutMs ?? 60_000,
      );
      this.options.onBoot?.(settings);
    } catch (error) {
      // An error *answer* still proves the process is up (a CLI without get_settings).
      if ((error as { fault?: string }).fault === "control_error") return;
      void process.kill();
      throw error;
    }
  }

  private retire(member: PoolMember, reason: string): void {
    if (!this.members.delete(member)) return;
    this.options.logger.debug({ pid: member.process.pid, reason }, "ending a CLI process");
    void member.process.close();
  }

  private replenish(): void {
    const { reuse, minSpares, maxProcesses, spareProfile } = this.options;
    if (!reuse || this.closed || this.waiters.length > 0 || this.replenishTimer) return;
    if (this.consecutiveBootFailures > 0) {
      // Crash loop (bad command, broken install): back off instead of spinning.
      const delay = Math.min(30_000, 500 * 2 ** this.consecutiveBootFailures);
      this.replenishTimer = setTimeout(() => {
        this.replenishTimer = undefined;
        this.consecutiveBootFailures = Math.max(0, this.consecutiveBootFailures - 1);
        this.replenish();
      }, delay);
      this.replenishTimer.unref();
      return;
    }
    let ready = 0;
    for (const member of this.members) {
      const available = member.state === "spare" || (member.state === "starting" && !member.claimed);
      if (available && member.spawnKey === spareProfile.spawnKey) ready++;
    }
    for (; ready < minSpares && this.members.size < maxProcesses; ready++) this.spawnMember(spareProfile, false);
  }

  private reap(): void {
    const now = Date.now();
    let spares = 0;
    for (const member of this.members) if (member.state === "spare") spares++;
    for (const member of [...this.members]) {
      const idleFor = now - member.lastUsedAt;
      if (idleFor < this.options.idleTimeoutMs) continue;
      if (member.state === "idle") this.retire(member, "idle timeout");
      else if (member.state === "spare" && spares > this.options.minSpares) {
        spares--;
        this.retire(member, "idle timeout");
      }
    }
    this.replenish();
  }

  private find(predicate: (member: PoolMember) => boolean): PoolMember | undefined {
    for (const member of this.members) if (predicate(member)) return member;
    return undefined;
  }

  private retryAfterSeconds(): number {
    return Math.min(60, Math.max(1, Math.ceil(this.averageLeaseMs / 1_000)));
  }
}

function queueFull(retryAfterSeconds: number): GatewayError {
  return new GatewayError("All Claude Code processes are busy and the wait queue is full; retry later.", {
    status: 429,
    type: "rate_limit_error",
    code: "pool_queue_full",
    retryAfterSeconds,
  });
}

function shuttingDown(): GatewayError {
  return new GatewayError("The gateway is shutting down.", {
    status: 503,
    type: "server_error",
    code: "shutting_down",
  });
}

function unavailable(cause: unknown, stderr: string): GatewayError {
  return new GatewayError("The Claude Code CLI could not be started; see the gateway log.", {
    status: 503,
    type: "server_error",
    code: "claude_unavailable",
    cause: Object.assign(new Error(String(cause)), { stderr }),
  });
}
