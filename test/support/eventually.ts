/**
 * Waits for an assertion to hold. Generous on purpose: tests run beside each other on two cores,
 * and a CLI boot (~0.6 CPU-s) can take seconds under that load. This waits on state, not on time.
 */
import { expect, vi } from "vitest";

export function eventually<T>(assertion: () => T | Promise<T>, timeoutMs = 30_000): Promise<T> {
  return vi.waitFor(assertion, { timeout: timeoutMs, interval: 20 });
}

/** Waits until no process is booting, being readied, leased or clearing. */
export function poolSettled(pool: () => { states: Record<string, number> }): Promise<void> {
  return eventually(() => {
    const { states } = pool();
    expect((states.starting ?? 0) + (states.preparing ?? 0) + (states.leased ?? 0) + (states.clearing ?? 0)).toBe(0);
  });
}
