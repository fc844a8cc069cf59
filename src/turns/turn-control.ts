/**
 * The abort signal of one turn, which may outlive the request that started it: a turn parked for
 * client tool results is continued by a later request. Each request's own signal (disconnect,
 * deadline) is linked while that request is being answered, and unlinked when it is done.
 */
export class TurnControl {
  private readonly controller = new AbortController();
  private unlink: (() => void) | undefined;

  get signal(): AbortSignal {
    return this.controller.signal;
  }

  /** From now on, `signal` aborting aborts the turn (until `detach`). */
  link(signal: AbortSignal): void {
    this.detach();
    const onAbort = () => this.controller.abort(signal.reason);
    if (signal.aborted) {
      onAbort();
      return;
    }
    signal.addEventListener("abort", onAbort, { once: true });
    this.unlink = () => signal.removeEventListener("abort", onAbort);
  }

  detach(): void {
    this.unlink?.();
    this.unlink = undefined;
  }

  abort(reason: unknown): void {
    this.detach();
    this.controller.abort(reason);
  }
}
