/** The pool's refusals, as the gateway's errors. */
import { GatewayError } from "../errors.js";

export function queueFull(retryAfterSeconds: number): GatewayError {
  return new GatewayError("All Claude Code processes are busy and the wait queue is full; retry later.", {
    status: 429,
    type: "rate_limit_error",
    code: "pool_queue_full",
    retryAfterSeconds,
  });
}

export function shuttingDown(): GatewayError {
  return new GatewayError("The gateway is shutting down.", {
    status: 503,
    type: "server_error",
    code: "shutting_down",
  });
}

/** The CLI would not start. The details (stderr) go to the log via `cause`, never to the client. */
export function claudeUnavailable(cause: unknown, stderr: string): GatewayError {
  return new GatewayError("The Claude Code CLI could not be started; see the gateway log.", {
    status: 503,
    type: "server_error",
    code: "claude_unavailable",
    cause: Object.assign(new Error(String(cause)), { stderr }),
  });
}
