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

/** The owner's cap on processes held (auth.max_processes_per_key) is reached, none can be let go. */
export function tooManyProcesses(maxHeld: number, retryAfterSeconds: number): GatewayError {
  return new GatewayError(
    `This key holds ${maxHeld} Claude Code processes already (turns running or waiting for tool results, live sessions); end one or retry later.`,
    { status: 429, type: "rate_limit_error", code: "too_many_processes", retryAfterSeconds },
  );
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
