/**
 * Listens with the app on host:port (0 = a free port) and reports the real address. Here the
 * server.* limits on connections meet Node's HTTP server: how long a request may take to arrive,
 * how long an idle keep-alive connection is kept, how many connections are served at once.
 */

import type { IncomingMessage, Server } from "node:http";
import type { AddressInfo } from "node:net";
import type { Duplex } from "node:stream";
import { createAdaptorServer, type Http2Bindings, type HttpBindings } from "@hono/node-server";
import type { Hono } from "hono";
import { toAnthropicErrorResponse } from "../anthropic/anthropic-errors.js";
import type { Configuration } from "../config/configuration-schema.js";
import { toOpenAIErrorResponse } from "../errors.js";
import type { Logger } from "../observability/logger.js";
import { limitConnections } from "./limit-connections.js";
import { speaksAnthropic } from "./speaks-anthropic.js";

export interface RunningServer {
  url: string;
  port: number;
  /** Stops accepting connections; `beforeCut` may wait for answers in flight, then every connection is closed. */
  close(beforeCut?: () => Promise<void>): Promise<void>;
}

export interface ListenOptions {
  /** WebSocket upgrade requests (the live session bridge). */
  onUpgrade: (request: IncomingMessage, socket: Duplex, head: Buffer) => void;
  logger: Logger;
}

export function listen(
  app: { fetch: Hono["fetch"] },
  settings: Configuration["server"],
  { onUpgrade, logger }: ListenOptions,
): Promise<RunningServer> {
  const headersTimeout = settings.header_timeout_seconds * 1000;
  const server = createAdaptorServer({
    fetch: (request: Request, bindings: HttpBindings | Http2Bindings) => {
      const refusal = limits.refusalOf(bindings.incoming.socket);
      if (!refusal) return app.fetch(request, bindings);
      const anthropic = speaksAnthropic(new URL(request.url).pathname, (name) => request.headers.get(name));
      const response = (anthropic ? toAnthropicErrorResponse : toOpenAIErrorResponse)(refusal);
      response.headers.set("connection", "close");
      return response;
    },
    // The URL's host for a request without a Host header.
    hostname: settings.host,
    serverOptions: {
      headersTimeout,
      // Node's requestTimeout ends when the request has been received: a long answer is not cut.
      requestTimeout: settings.body_timeout_seconds * 1000,
      keepAliveTimeout: settings.keep_alive_timeout_seconds * 1000,
      // Node checks those timeouts on this interval (30 s by default, too coarse for short ones).
      connectionsCheckingInterval: Math.min(1000, headersTimeout / 4),
    },
  }) as Server;
  server.maxRequestsPerSocket = settings.max_requests_per_connection;
  const limits = limitConnections(
    server,
    { maxConnections: settings.max_connections, maxConnectionsPerAddress: settings.max_connections_per_address },
    logger,
  );
  server.on("upgrade", (request: IncomingMessage, socket: Duplex, head: Buffer) => {
    // Node's own error listener left with the upgrade: a client's reset would crash the process.
    socket.on("error", () => socket.destroy());
    if (!limits.refusalOf(socket)) return onUpgrade(request, socket, head);
    socket.end("HTTP/1.1 503 Service Unavailable\r\nconnection: close\r\nretry-after: 1\r\ncontent-length: 0\r\n\r\n");
  });
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(settings.port, settings.host, () => {
      const info = server.address() as AddressInfo;
      const shownHost = info.family === "IPv6" ? `[${info.address}]` : info.address;
      resolve({
        url: `http://${shownHost}:${info.port}`,
        port: info.port,
        close: async (beforeCut) => {
          const closed = new Promise<void>((done) => server.close(() => done()));
          server.closeIdleConnections();
          await beforeCut?.();
          // Open keep-alive and streaming connections would hold close() forever.
          server.closeAllConnections();
          await closed;
        },
      });
    });
  });
}
