/**
 * A live-session client that does not read: what the session sends it piles up in its socket's
 * send buffer. A plain size limit would also cut clients that read — an `assistant` or `result`
 * message repeats the whole answer, megabytes at once — so a client is cut when more than the
 * limit (server.stream_buffer_kb) has waited unread for `stallMs`, or at once past eight times it.
 */
import type { WebSocket } from "ws";

export interface UnreadSocketGuard {
  /** Call after each send. */
  check(): void;
  dispose(): void;
}

export function guardUnreadSocket(
  socket: Pick<WebSocket, "bufferedAmount" | "terminate">,
  limitBytes: number,
  onCut: (bufferedBytes: number) => void,
  stallMs = 10_000,
): UnreadSocketGuard {
  let timer: NodeJS.Timeout | undefined;
  const cut = () => {
    clearTimeout(timer);
    timer = undefined;
    onCut(socket.bufferedAmount);
    socket.terminate();
  };
  return {
    check() {
      const buffered = socket.bufferedAmount;
      if (buffered > 8 * limitBytes) return cut();
      if (buffered <= limitBytes || timer) return;
      timer = setTimeout(() => {
        timer = undefined;
        if (socket.bufferedAmount > limitBytes) cut();
      }, stallMs);
      timer.unref();
    },
    dispose() {
      clearTimeout(timer);
    },
  };
}
