/** An upgrade refused: a plain HTTP answer on the raw socket, then it is closed. */
import { STATUS_CODES } from "node:http";
import type { Duplex } from "node:stream";
import { type GatewayError, toOpenAIErrorBody } from "../../errors.js";

export function refuseUpgrade(socket: Duplex, status: number, body = "", retryAfterSeconds?: number): void {
  if (socket.destroyed) return;
  const type = body ? "content-type: application/json\r\n" : "";
  const retry = retryAfterSeconds ? `retry-after: ${Math.ceil(retryAfterSeconds)}\r\n` : "";
  socket.end(
    `HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\nconnection: close\r\n${type}${retry}content-length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
  );
}

export function refuseUpgradeWith(socket: Duplex, error: GatewayError): void {
  refuseUpgrade(socket, error.status, JSON.stringify(toOpenAIErrorBody(error)), error.retryAfterSeconds);
}
