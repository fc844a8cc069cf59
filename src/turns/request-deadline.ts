/**
 * One signal for everything that ends a request early: the client disconnecting, or
 * `claude.timeout_seconds` passing. Its `reason` is the GatewayError the request ends with.
 */
import { GatewayError } from "../errors.js";

export interface RequestDeadline {
  signal: AbortSignal;
  dispose(): void;
}

export function createRequestDeadline(clientSignal: AbortSignal | undefined, timeoutMs: number): RequestDeadline {
  const controller = new AbortController();
  const onClientGone = () =>
    controller.abort(
      new GatewayError("The client closed the request.", {
        status: 499,
        type: "invalid_request_error",
        code: "client_closed_request",
      }),
    );
  const timer = setTimeout(
    () =>
      controller.abort(
        new GatewayError(`The request did not finish within ${timeoutMs / 1000} s (claude.timeout_seconds).`, {
          status: 504,
          type: "timeout_error",
          code: "timeout",
        }),
      ),
    timeoutMs,
  );
  if (clientSignal?.aborted) onClientGone();
  else clientSignal?.addEventListener("abort", onClientGone, { once: true });
  return {
    signal: controller.signal,
    dispose() {
      clearTimeout(timer);
      clientSignal?.removeEventListener("abort", onClientGone);
    },
  };
}
