/**
 * The CLI's control protocol, on the same pipes as the conversation: host→CLI requests awaiting
 * their `control_response` (matched by request_id), and CLI→host requests (can_use_tool,
 * mcp_message, …) answered by registered handlers. A kind without a handler, or a handler that
 * throws, gets an error response — the CLI treats that as a refusal rather than waiting forever.
 */
import { ClaudeProcessError } from "./claude-process-error.js";
import type { ControlRequestLine, ControlResponseLine } from "./protocol.js";

/** Answers one kind of CLI→host request; a throw becomes an error response. */
export type ControlRequestHandler = (request: ControlRequestLine["request"]) => Promise<unknown> | unknown;

interface Pending {
  resolve(value: unknown): void;
  reject(error: Error): void;
  timer: NodeJS.Timeout;
}

export class ControlChannel {
  private readonly pending = new Map<string, Pending>();
  private readonly handlers = new Map<string, ControlRequestHandler>();
  private nextRequestNumber = 1;

  /** `write` sends one message to the CLI; it throws if the process is gone. */
  constructor(private readonly write: (message: unknown) => void) {}

  handle(subtype: string, handler: ControlRequestHandler): void {
    this.handlers.set(subtype, handler);
  }

  send(request: { subtype: string; [key: string]: unknown }, timeoutMs: number): Promise<unknown> {
    const requestId = `gw_${this.nextRequestNumber++}`;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(requestId);
        reject(new ClaudeProcessError("control_timeout", `no answer to ${request.subtype} within ${timeoutMs} ms`));
      }, timeoutMs);
      this.pending.set(requestId, { resolve, reject, timer });
      try {
        this.write({ type: "control_request", request_id: requestId, request });
      } catch (error) {
        clearTimeout(timer);
        this.pending.delete(requestId);
        reject(error);
      }
    });
  }

  onResponse(line: ControlResponseLine): void {
    const response = line.response;
    const pending = this.pending.get(response?.request_id);
    if (!pending) return;
    this.pending.delete(response.request_id);
    clearTimeout(pending.timer);
    if (response.subtype === "success") pending.resolve(response.response);
    else pending.reject(new ClaudeProcessError("control_error", String(response.error)));
  }

  async onRequest(line: ControlRequestLine): Promise<void> {
    const handler = this.handlers.get(line.request?.subtype);
    let response: Record<string, unknown>;
    try {
      if (!handler) throw new Error(`Unsupported control request subtype: ${line.request?.subtype}`);
      response = { subtype: "success", request_id: line.request_id, response: (await handler(line.request)) ?? {} };
    } catch (error) {
      response = { subtype: "error", request_id: line.request_id, error: (error as Error).message };
    }
    try {
      this.write({ type: "control_response", response });
    } catch {
      // the process died meanwhile; its exit is reported elsewhere
    }
  }

  /** Fails every request still waiting for an answer (the process is gone). */
  failAll(error: Error): void {
    for (const pending of this.pending.values()) {
      clearTimeout(pending.timer);
      pending.reject(error);
    }
    this.pending.clear();
  }
}
