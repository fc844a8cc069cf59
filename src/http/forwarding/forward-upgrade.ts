/**
 * A live session's WebSocket that reached an instance other than the session's: the upgrade is
 * sent on to the session's instance (with the internal credential, without the caller's key) and,
 * once it answers 101, the two sockets are joined byte for byte. Any other answer is passed back
 * as it is; a refused connection means the session's instance is gone.
 */
import type { IncomingMessage } from "node:http";
import type { Duplex } from "node:stream";
import type { InstanceRecord } from "../../cluster/instance-registry.js";
import type { InternalCredential } from "../../cluster/internal-credential.js";
import { passedHeaders, sendToPeer } from "./peer-request.js";

export interface UpgradeForwarding {
  instance: InstanceRecord;
  credential: InternalCredential;
  owner: string;
  /** The session's instance refused the connection: it is gone. */
  onGone(): void;
  /** Any other failure to reach it. */
  onUnreachable(error: unknown): void;
  /** The joined pair, for cutting at shutdown; `closed` when either side ends. */
  joined(sockets: [Duplex, Duplex], closed: Promise<void>): void;
}

export function forwardUpgrade(request: IncomingMessage, socket: Duplex, head: Buffer, to: UpgradeForwarding): void {
  const url = new URL(request.url ?? "/", "http://gateway");
  // The key stays here, wherever a browser put it.
  url.searchParams.delete("api_key");
  const headers = passedHeaders(
    Object.entries(request.headers).flatMap(([name, value]) =>
      value === undefined ? [] : (Array.isArray(value) ? value : [value]).map((each): [string, string] => [name, each]),
    ),
  );
  const outgoing = sendToPeer({
    base: to.instance.url,
    method: "GET",
    path: url.pathname + url.search,
    owner: to.owner,
    headers: { ...headers, connection: "Upgrade", upgrade: "websocket" },
    credential: to.credential,
    upgrade: true,
  });
  socket.once("close", () => outgoing.destroy());
  outgoing.once("upgrade", (answer: IncomingMessage, peer: Duplex, peerHead: Buffer) => {
    const lines = ["HTTP/1.1 101 Switching Protocols"];
    for (let index = 0; index + 1 < answer.rawHeaders.length; index += 2) {
      lines.push(`${answer.rawHeaders[index]}: ${answer.rawHeaders[index + 1]}`);
    }
    socket.write(`${lines.join("\r\n")}\r\n\r\n`);
    if (peerHead.length > 0) socket.write(peerHead);
    if (head.length > 0) peer.write(head);
    const closed = new Promise<void>((resolve) => {
      const end = () => {
        socket.destroy();
        peer.destroy();
        resolve();
      };
      for (const side of [socket, peer]) {
        side.once("close", end);
        side.once("error", end);
      }
    });
    peer.pipe(socket);
    socket.pipe(peer);
    to.joined([socket, peer], closed);
  });
  outgoing.once("response", (answer: IncomingMessage) => {
    // Refused there (a cap, a limit): the client gets that refusal as it was sent.
    const lines = [`HTTP/1.1 ${answer.statusCode} ${answer.statusMessage ?? ""}`, "connection: close"];
    for (let index = 0; index + 1 < answer.rawHeaders.length; index += 2) {
      const name = answer.rawHeaders[index] ?? "";
      if (!["connection", "keep-alive", "transfer-encoding"].includes(name.toLowerCase())) {
        lines.push(`${name}: ${answer.rawHeaders[index + 1]}`);
      }
    }
    socket.write(`${lines.join("\r\n")}\r\n\r\n`);
    answer.pipe(socket);
  });
  outgoing.once("error", (error: NodeJS.ErrnoException) => {
    if (socket.destroyed) return;
    if (error.code === "ECONNREFUSED") to.onGone();
    else to.onUnreachable(error);
  });
}
