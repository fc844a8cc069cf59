/**
 * One request to a TLS endpoint with a self-signed certificate (nginx in front of the gateway), as
 * a client of https://localhost:<port> sends it: every piece of the body kept with when it came.
 */
import { request } from "node:https";

export interface TlsEndpoint {
  port: number;
  /** The certificate to trust (PEM). */
  ca: string;
}

export interface Received {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  /** Each piece of the body as it arrived, with when (ms since the request was sent). */
  pieces: Array<{ at: number; text: string }>;
  body: string;
}

export function requestOverTls(
  endpoint: TlsEndpoint,
  method: string,
  path: string,
  options: { body?: unknown; headers?: Record<string, string> } = {},
): Promise<Received> {
  const started = Date.now();
  const { body } = options;
  return new Promise((resolve, reject) => {
    const outgoing = request(
      {
        hostname: "127.0.0.1",
        port: endpoint.port,
        path,
        method,
        ca: endpoint.ca,
        agent: false,
        headers: {
          host: `localhost:${endpoint.port}`,
          ...(body === undefined ? {} : { "content-type": "application/json" }),
          ...options.headers,
        },
      },
      (response) => {
        const pieces: Received["pieces"] = [];
        response.setEncoding("utf8");
        response.on("data", (text: string) => pieces.push({ at: Date.now() - started, text }));
        response.on("end", () =>
          resolve({
            status: response.statusCode ?? 0,
            headers: response.headers,
            pieces,
            body: pieces.map((piece) => piece.text).join(""),
          }),
        );
        response.on("error", reject);
      },
    );
    outgoing.on("error", reject);
    outgoing.end(body === undefined ? undefined : JSON.stringify(body));
  });
}
