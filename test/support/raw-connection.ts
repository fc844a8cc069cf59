/**
 * A bare TCP connection to the gateway, for what an HTTP client library would not do: send half a
 * request, trickle a body, hold a connection idle, or come from another loopback address.
 */
import { request as httpRequest, type IncomingHttpHeaders } from "node:http";
import { connect, type Socket } from "node:net";

export interface RawConnection {
  socket: Socket;
  /** Everything received so far. */
  text(): string;
  /** Resolves when the connection has closed, with the milliseconds it was open. */
  closed: Promise<number>;
}

export async function openConnection(port: number, localAddress = "127.0.0.1"): Promise<RawConnection> {
  const socket = connect({ port, host: "127.0.0.1", localAddress });
  let received = "";
  socket.on("data", (chunk: Buffer) => {
    received += chunk.toString("utf8");
  });
  const opened = performance.now();
  const closed = new Promise<number>((resolve) => socket.once("close", () => resolve(performance.now() - opened)));
  await new Promise<void>((resolve, reject) => {
    socket.once("connect", resolve);
    socket.once("error", reject);
  });
  // A reset is one way a refused or cut connection ends; `closed` reports it.
  socket.on("error", () => {});
  return { socket, text: () => received, closed };
}

export interface PlainResponse {
  status: number;
  headers: IncomingHttpHeaders;
  body: string;
}

/** One request on a connection of its own (no keep-alive), from the given local address. */
export function requestOnce(
  url: string,
  options: { method?: string; body?: unknown; localAddress?: string } = {},
): Promise<PlainResponse> {
  return new Promise((resolve, reject) => {
    const request = httpRequest(
      url,
      {
        method: options.method ?? "GET",
        agent: false,
        localAddress: options.localAddress ?? "127.0.0.1",
        headers: options.body === undefined ? {} : { "content-type": "application/json" },
      },
      (response) => {
        let body = "";
        response.setEncoding("utf8");
        response.on("data", (chunk: string) => {
          body += chunk;
        });
        response.on("end", () => resolve({ status: response.statusCode ?? 0, headers: response.headers, body }));
        response.on("error", reject);
      },
    );
    request.on("error", reject);
    request.end(options.body === undefined ? undefined : JSON.stringify(options.body));
  });
}
