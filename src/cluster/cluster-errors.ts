/**
 * What a caller is told about work another instance owns: sent on (OwnedElsewhere, which the HTTP
 * layer forwards and never shows), or lost with an instance that is gone (410, with what to do).
 */
import { GatewayError } from "../errors.js";
import type { InstanceRecord } from "./instance-registry.js";

/** The request is for work another instance holds: the HTTP layer sends it there. Not an answer. */
export class OwnedElsewhere extends Error {
  constructor(
    readonly instance: InstanceRecord,
    /** What the caller is told when that instance turns out to be gone (it refuses the connection). */
    readonly gone: GatewayError = ownerUnreachable(undefined),
  ) {
    super(`owned by instance ${instance.id}`);
    this.name = "OwnedElsewhere";
  }
}

export function waitingTurnGone(param: string): GatewayError {
  return new GatewayError(
    "The gateway instance whose turn was waiting for these tool results has stopped, and the turn with it. The conversation keeps what was answered before that turn (a conversation whose first turn it was was never stored): send it again ending with a user message, and any instance continues it.",
    { status: 410, type: "invalid_request_error", code: "tool_turn_gone", param, retryable: false },
  );
}

export function sessionGone(): GatewayError {
  return new GatewayError(
    "The live session ended with the gateway instance that ran it (it stopped). Start a new one with POST /v1/sessions.",
    { status: 410, type: "invalid_request_error", code: "session_gone", retryable: false },
  );
}

/** The instance a request was sent on to stopped answering before it could. */
export function ownerUnreachable(cause: unknown): GatewayError {
  return new GatewayError(
    "The gateway instance holding this work could not be reached; retry in a few seconds (if it has stopped, its work is released).",
    { status: 503, type: "server_error", code: "owner_unreachable", retryAfterSeconds: 5, cause },
  );
}
