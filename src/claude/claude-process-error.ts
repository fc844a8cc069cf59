/** Faults of the CLI process itself (not of the model): it failed to start, died, or stopped answering. */
export type ClaudeProcessFault = "spawn_failed" | "exited" | "control_timeout" | "control_error" | "busy";

export class ClaudeProcessError extends Error {
  readonly fault: ClaudeProcessFault;
  /** The last lines the process wrote to stderr, for the log (never sent to clients). */
  readonly stderrTail: string;

  constructor(fault: ClaudeProcessFault, message: string, stderrTail = "") {
    super(message);
    this.name = "ClaudeProcessError";
    this.fault = fault;
    this.stderrTail = stderrTail;
  }
}
