/** Listens with the app on host:port (0 = a free port) and reports the real address. */

import type { IncomingMessage } from "node:http";
import type { AddressInfo } from "node:net";
import type { Duplex } from "node:stream";
import { serve } from "@hono/node-server";
import type { Hono } from "hono";

export interface RunningServer {
  url: string;
  port: number;
  /** Stops accepting connections; `beforeCut` may wait for answers in flight, then every connection is closed. */
  close(beforeCut?: () => Promise<void>): Promise<void>;
}

/** `onUpgrade`: WebSocket upgrade requests (the live session bridge). */
export function listen(
  app: { fetch: Hono["fetch"] },
  host: string,
  port: number,
  onUpgrade?: (request: IncomingMessage, socket: Duplex, head: Buffer) => void,
): Promise<RunningServer> {
  return new Promise((resolve, reject) => {
    const server = serve({ fetch: app.fetch, hostname: host, port }, (info: AddressInfo) => {
      const shownHost = info.family === "IPv6" ? `[${info.address}]` : info.address;
      resolve({
        url: `http://${shownHost}:${info.port}`,
        port: info.port,
        close: async (beforeCut) => {
          const http = server as unknown as { closeAllConnections(): void; closeIdleConnections(): void };
          const closed = new Promise<void>((done) => server.close(() => done()));
          http.closeIdleConnections();
          await beforeCut?.();
          // Open keep-alive and streaming connections would hold close() forever.
          http.closeAllConnections();
          await closed;
        },
      });
    });
    server.once("error", reject);
    if (onUpgrade) server.on("upgrade", onUpgrade);
  });
}
