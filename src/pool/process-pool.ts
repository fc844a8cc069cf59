/**
 * Warm CLI processes, keyed by launch profile. The only place that spawns and ends CLI processes.
 *
 * A request leases a process (choose-member.ts says which); if none can be had it waits in a
 * bounded queue, and past that gets 429. After the turn the process either keeps the
 * conversation's session for its next turn ("bound") or is `/clear`ed (~15 ms) and waits again,
 * so cold spawns (~0.6 s) stay off the request path. Booted spares are kept ready, crashed
 * processes replaced, idle ones ended and idle conversations released after a while.
 */
import type { ClaudeProcess } from "../claude/claude-process.js";
import type { LaunchProfile } from "../claude/launch-profile.js";
import type { Logger } from "../observability/logger.js";
import { withTimeout } from "../with-timeout.js";
import { chooseMember } from "./choose-member.js";
import { holdersOf, staleHoldersOf } from "./conversation-holders.js";
import { createLease, type Lease } from "./lease.js";
import { checkHoldings, committedHoldingsOf } from "./owner-holdings.js";
import { bindingsToRelease, membersToReap, sparesToStart } from "./plan-upkeep.js";
import { claudeUnavailable, queueFull, shuttingDown, tooManyProcesses } from "./pool-errors.js";
import type { ConversationBinding, PoolMember } from "./pool-member.js";
import { type PoolSnapshot, snapshotOf } from "./pool-snapshot.js";
import type { SharedHoldings } from "./shared-holdings.js";
import { startMember } from "./start-member.js";
import { type ConversationClaim, Waiter } from "./waiter.js";

export type { Lease } from "./lease.js";
export type { ConversationBinding } from "./pool-member.js";
export type { PoolSnapshot } from "./pool-snapshot.js";
export type { ConversationClaim } from "./waiter.js";

export interface ProcessPoolOptions {
  spawnProcess(profile: LaunchProfile, extraArgs: readonly string[]): ClaudeProcess;
  /** The profile spares are spawned with (its command line; spares are not yet initialized). */
  spareProfile: LaunchProfile;
  maxProcesses: number;
  maxQueued: number;
  /** Booted spares kept ready (0 when processes are not reused). */
  minSpares: number;
  idleTimeoutMs: number;
  /** A process holding a conversation is cleared after the conversation was idle this long. */
  sessionTimeoutMs: number;
  /** false: every lease gets a fresh process, ended afterwards (spawn per request). */
  reuse: boolean;
  logger: Logger;
  bootTimeoutMs?: number;
  clearTimeoutMs?: number;
  /** Called with the CLI's `get_settings` answer when a process has booted. */
  onBoot?(settings: unknown): void;
  /**
   * A request found no process to be had and waits: whoever holds processes idle on purpose
   * (turns waiting for a client's tool results) may let one go. Returns whether it did.
   */
  onStarved?(): boolean;
  /** Called with the CLI's `initialize` answer (its commands, models, account) when a process is initialized. */
  onInitialize?(answer: unknown): void;
  /** What owners hold on other instances sharing the store (their caps count it); none without. */
  holdings?: SharedHoldings;
}

export class ProcessPool {
  private readonly members = new Set<PoolMember>();
  /** Retired processes still ending: close() waits for them too, so none outlives the pool. */
  private readonly ending = new Set<Promise<unknown>>();
  private readonly waiters: Waiter[] = [];
  private readonly reaper: NodeJS.Timeout;
  private closed = false;
  private consecutiveBootFailures = 0;
  private replenishTimer: NodeJS.Timeout | undefined;
  private averageLeaseMs = 1_000;
  private spawned = 0;
  private crashed = 0;

  constructor(private readonly options: ProcessPoolOptions) {
    this.reaper = setInterval(() => this.reap(), Math.min(options.idleTimeoutMs, options.sessionTimeoutMs, 30_000));
    this.reaper.unref();
  }

  /** Starts the warm spares, and tells other instances what this one holds. */
  start(): void {
    this.options.holdings?.publishFrom(() => committedHoldingsOf(this.members));
    this.replenish();
  }

  /**
   * A process for one turn of `profile.owner`. With `claim`, the turn continues that conversation:
   * in the process holding its session at that revision, else in a new one started with
   * `claim.resumeArgs`. `maxHeld`: the most processes the owner may hold at once.
   */
  lease(profile: LaunchProfile, signal?: AbortSignal, claim?: ConversationClaim, maxHeld?: number): Promise<Lease> {
    if (this.closed) return Promise.reject(shuttingDown());
    if (signal?.aborted) return Promise.reject(signal.reason);
    return new Promise<Lease>((resolve, reject) => {
      const onAborted = (aborted: Waiter) => this.removeWaiter(aborted);
      const waiter = new Waiter(profile, signal, resolve, reject, onAborted, claim, maxHeld);
      const served = this.tryServe(waiter);
      if (served === "served") return;
      // A request about to get a process that is finishing its /clear waits in any case.
      // A process held by a turn that only waits for a client is worth more to a request that runs.
      if (served === "none" && this.options.onStarved?.()) {
        this.waiters.push(waiter);
        return;
      }
      if (served === "none" && this.waiters.length >= this.options.maxQueued) {
        waiter.reject(queueFull(this.retryAfterSeconds()));
        return;
      }
      this.waiters.push(waiter);
    });
  }

  /** Requests waiting for a process. */
  get queued(): number {
    return this.waiters.length;
  }

  /** Whether a process holds this conversation's session as of `binding.revision`. */
  holds(binding: ConversationBinding): boolean {
    return holdersOf(this.members, binding.id, binding.revision).length > 0;
  }

  /** The conversation is gone: clear the process holding its session, if any. */
  forget(conversationId: string): Promise<void> {
    // Resolves once the processes have let go — also one already clearing it: /clear still writes
    // to the session's transcript.
    const clearing = [...this.members]
      .filter((member) => member.state === "clearing" && member.clearing?.conversationId === conversationId)
      .map((member) => member.clearing?.done);
    const holders = holdersOf(this.members, conversationId).map((member) => this.unbind(member));
    return Promise.all([...clearing, ...holders]).then(() => {});
  }

  snapshot(): PoolSnapshot {
    return snapshotOf(this.members, { queued: this.waiters.length, spawned: this.spawned, crashed: this.crashed });
  }

  /** Rejects waiting requests and ends every process. */
  async close(): Promise<void> {
    this.closed = true;
    clearInterval(this.reaper);
    clearTimeout(this.replenishTimer);
    for (const waiter of this.waiters.splice(0)) waiter.reject(shuttingDown());
    const members = [...this.members];
    this.members.clear();
    await Promise.all([...members.map((member) => member.process.close(1_000)), ...this.ending]);
  }

  private tryServe(waiter: Waiter): "served" | "soon" | "none" {
    const { claim } = waiter;
    // Processes holding an older revision of the conversation: another instance moved it on.
    if (claim) for (const member of staleHoldersOf(this.members, claim)) this.unbind(member);
    const choice = chooseMember(this.members, waiter.profile, this.options.maxProcesses, claim);
    const { owner } = waiter.profile;
    const elsewhere = this.options.holdings?.heldElsewhere(owner);
    const holdings = checkHoldings(this.members, owner, waiter.maxHeld, choice, claim?.id, elsewhere);
    if (holdings.kind === "full") {
      waiter.reject(tooManyProcesses(waiter.maxHeld ?? 0, this.retryAfterSeconds()));
      return "served";
    }
    if (holdings.kind === "release") {
      this.unbind(holdings.member);
      return "soon";
    }
    let member: PoolMember;
    switch (choice.kind) {
      case "soon":
      case "none":
        return choice.kind;
      case "evict":
        this.unbind(choice.member);
        return "soon";
      case "take":
        member = choice.member;
        member.state = "preparing";
        break;
      case "claim":
        member = choice.member;
        member.claimed = true;
        break;
      case "replace":
        this.retire(choice.victim, claim ? "replaced to resume a conversation" : "replaced for another launch profile");
        member = this.spawnMember(waiter.profile, true, claim?.resumeArgs);
        break;
      case "spawn":
        member = this.spawnMember(waiter.profile, true, claim?.resumeArgs);
        break;
    }
    if (claim) member.conversation = { id: claim.id, revision: claim.revision };
    member.owner = owner;
    this.options.holdings?.changed();
    void this.prepare(member, waiter);
    return "served";
  }

  /** Waits for the process to boot, initializes it for the profile if new, and hands it over. */
  private async prepare(member: PoolMember, waiter: Waiter): Promise<void> {
    // A process that was already warm and died between requests is worth one retry elsewhere;
    // one that never booted points at a broken CLI, and the client should hear about it.
    const wasWarm = member.state === "preparing";
    try {
      await member.booted;
      if (!member.process.isAlive) throw new Error("the process exited while idle");
      if (member.profileKey === undefined) {
        member.state = "preparing";
        const answer = await member.process.sendControlRequest({ subtype: "initialize", ...waiter.profile.initialize });
        member.profileKey = waiter.profile.key;
        this.options.onInitialize?.(answer);
      }
    } catch (error) {
      this.retire(member, "failed to start");
      if (waiter.settled) return;
      if (wasWarm && !waiter.retried) {
        waiter.retried = true;
        if (this.tryServe(waiter) !== "served") this.waiters.unshift(waiter);
        return;
      }
      waiter.reject(claudeUnavailable(error, member.process.stderr));
      return;
    }
    if (this.closed) return waiter.reject(shuttingDown());
    if (waiter.settled) {
      // The request went away while its process was being readied: keep the process for others —
      // cleared first if it holds a conversation's session, which must never reach another request.
      if (member.conversation) this.unbind(member);
      else this.makeAvailable(member);
      return;
    }
    member.state = "leased";
    member.leasedAt = Date.now();
    waiter.resolve(createLease(member, (released, reusable, keep) => this.onRelease(released, reusable, keep)));
  }

  private onRelease(member: PoolMember, reusable: boolean, keep?: ConversationBinding): void {
    this.options.holdings?.changed(); // told once the state below is set: publishing waits a tick
    this.averageLeaseMs = this.averageLeaseMs * 0.8 + (Date.now() - member.leasedAt) * 0.2;
    if (!this.options.reuse || !reusable || !member.process.isAlive || this.closed) {
      this.retire(member, reusable ? "not reused" : "not reusable after its turn");
      this.dispatch();
      return;
    }
    if (keep) {
      member.state = "bound";
      member.conversation = { ...keep };
      member.lastUsedAt = Date.now();
      this.dispatch();
      return;
    }
    this.unbind(member);
  }

  /** Drops the conversation a process holds (it stays in the store) and clears the process. */
  private unbind(member: PoolMember): Promise<void> {
    const conversationId = member.conversation?.id;
    member.conversation = undefined;
    member.state = "clearing";
    const done = this.clear(member);
    member.clearing = { conversationId, done };
    return done;
  }

  /** `/clear` resets the conversation (new session id, no earlier turn in the next request). */
  private async clear(member: PoolMember): Promise<void> {
    const timeoutMs = this.options.clearTimeoutMs ?? 10_000;
    try {
      await withTimeout(member.process.runQuietTurn("/clear"), timeoutMs, `/clear took over ${timeoutMs} ms`);
    } catch (error) {
      this.options.logger.warn({ pid: member.process.pid, error: String(error) }, "clearing a process failed");
      this.retire(member, "clear failed");
      this.dispatch();
      return;
    }
    this.makeAvailable(member);
  }

  private makeAvailable(member: PoolMember): void {
    if (!this.members.has(member)) return;
    member.state = member.profileKey === undefined ? "spare" : "idle";
    // Never initialized (its request went away while it booted): still anyone's.
    if (member.profileKey === undefined) member.owner = undefined;
    member.lastUsedAt = Date.now();
    this.dispatch();
  }

  /** Serves waiting requests from whatever became available, then tops up the spares. */
  private dispatch(): void {
    for (const waiter of [...this.waiters]) {
      if (waiter.settled || this.tryServe(waiter) === "served") this.removeWaiter(waiter);
    }
    this.replenish();
  }

  private removeWaiter(waiter: Waiter): void {
    const index = this.waiters.indexOf(waiter);
    if (index >= 0) this.waiters.splice(index, 1);
  }

  private spawnMember(profile: LaunchProfile, claimed: boolean, extraArgs: readonly string[] = []): PoolMember {
    this.spawned++;
    const bootTimeoutMs = this.options.bootTimeoutMs ?? 60_000;
    const member = startMember(this.options.spawnProcess, profile, extraArgs, bootTimeoutMs, {
      booted: (booted, settings) => {
        this.consecutiveBootFailures = 0;
        this.options.onBoot?.(settings);
        if (booted.state === "starting" && !booted.claimed) this.makeAvailable(booted);
      },
      bootFailed: (failed, error) => {
        this.options.logger.warn(
          { pid: failed.process.pid, error: String(error), stderr: failed.process.stderr.slice(-500) },
          "a CLI process failed to boot",
        );
        if (failed.claimed) return; // its waiter reports the failure
        this.consecutiveBootFailures++;
        this.retire(failed, "failed to boot");
      },
      exited: (gone, exit) => {
        if (!this.members.delete(gone)) return;
        this.crashed++;
        this.options.logger.warn(
          { pid: gone.process.pid, state: gone.state, ...exit, stderr: gone.process.stderr.slice(-500) },
          "a CLI process exited unexpectedly",
        );
        this.dispatch();
      },
    });
    member.claimed = claimed;
    this.members.add(member);
    this.options.logger.debug({ pid: member.process.pid, profile: profile.key, claimed }, "spawned a CLI process");
    return member;
  }

  private retire(member: PoolMember, reason: string): void {
    if (!this.members.delete(member)) return;
    this.options.logger.debug({ pid: member.process.pid, reason }, "ending a CLI process");
    const closing = member.process.close();
    this.ending.add(closing);
    void closing.finally(() => this.ending.delete(closing));
  }

  private replenish(): void {
    const { reuse, minSpares, maxProcesses, spareProfile, sessionTimeoutMs } = this.options;
    if (!reuse || this.closed || this.waiters.length > 0 || this.replenishTimer) return;
    for (const member of bindingsToRelease(this.members, Date.now(), sessionTimeoutMs, minSpares, maxProcesses)) {
      this.unbind(member);
    }
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
    const missing = sparesToStart(this.members, spareProfile.spawnKey, minSpares, maxProcesses);
    for (let count = 0; count < missing; count++) this.spawnMember(spareProfile, false);
  }

  /** Ends processes idle longer than the idle timeout; spares only beyond the minimum. */
  private reap(): void {
    const { idleTimeoutMs, minSpares } = this.options;
    for (const member of membersToReap(this.members, Date.now(), idleTimeoutMs, minSpares)) {
      this.retire(member, "idle timeout");
    }
    this.replenish();
  }

  private retryAfterSeconds(): number {
    return Math.min(60, Math.max(1, Math.ceil(this.averageLeaseMs / 1_000)));
  }
}
