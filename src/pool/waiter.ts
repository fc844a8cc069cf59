/** A request waiting for a process: settled exactly once, by a lease, an error, or its own abort. */
import type { LaunchProfile } from "../claude/launch-profile.js";
import type { Lease } from "./lease.js";
import type { ConversationBinding } from "./pool-member.js";

/** A turn of a conversation whose CLI session exists: its process, or a new one resuming it. */
export interface ConversationClaim extends ConversationBinding {
  /** Extra CLI arguments that resume the session in a new process (`--resume <session id>`). */
  resumeArgs: readonly string[];
}

export class Waiter {
  settled = false;
  /** A warm process that died while being readied for it gets it one more try elsewhere. */
  retried = false;
  private readonly onAbort = () => {
    if (this.settled) return;
    this.onAborted(this);
    this.reject(this.signal?.reason);
  };

  constructor(
    readonly profile: LaunchProfile,
    private readonly signal: AbortSignal | undefined,
    private readonly resolveLease: (lease: Lease) => void,
    private readonly rejectLease: (error: unknown) => void,
    private readonly onAborted: (waiter: Waiter) => void,
    readonly claim?: ConversationClaim,
    /** Most processes the profile's owner may hold at once (undefined: no cap). */
    readonly maxHeld?: number,
  ) {
    signal?.addEventListener("abort", this.onAbort, { once: true });
  }

  resolve(lease: Lease): void {
    if (this.finish()) this.resolveLease(lease);
  }

  reject(error: unknown): void {
    if (this.finish()) this.rejectLease(error);
  }

  private finish(): boolean {
    if (this.settled) return false;
    this.settled = true;
    this.signal?.removeEventListener("abort", this.onAbort);
    return true;
  }
}
