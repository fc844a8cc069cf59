/**
 * Agents never hold the upstream credential. An agent's CLI runs tools, and a file tool raced past
 * its permission check through a flipping symlink reads whatever its user can — its own process's
 * environment, or a sibling process's descriptors while that one boots (both found by attacking the
 * gateway, decision 0009). So an agent's CLI gets a token of its room's and this proxy, on
 * loopback, as its Anthropic API: the proxy checks the token and forwards the request upstream with
 * the gateway's real credential. A token that leaks is only the room's way to the API through the
 * gateway — the same API calls its key may already make, and no further.
 */
import { randomBytes } from "node:crypto";
import {
  createServer,
  request as httpRequest,
  type IncomingMessage,
  type Server,
  type ServerResponse,
} from "node:http";
import { request as httpsRequest } from "node:https";
import type { AddressInfo } from "node:net";

/** The variables that carry the gateway's own way into the API: an agent's CLI gets none of them. */
export const credentialVariables = [
  "ANTHROPIC_API_KEY",
  "ANTHROPIC_AUTH_TOKEN",
  "CLAUDE_CODE_OAUTH_TOKEN",
  "ANTHROPIC_CUSTOM_HEADERS",
  "ANTHROPIC_BASE_URL",
];

/** How the gateway itself is logged in to the API, when that is by its environment. */
export type UpstreamCredential = { kind: "api_key"; value: string } | { kind: "bearer"; value: string };

/** Headers that belong to one hop, or carry the room's token: never forwarded. */
const dropped = new Set(["host", "connection", "keep-alive", "transfer-encoding", "x-api-key", "authorization"]);

export class UpstreamProxy {
  /** Per owner its room's token, and the tokens themselves (a lookup, not a scan of strings). */
  private readonly tokens = new Map<string, string>();
  private readonly known = new Set<string>();
  private server: Server | undefined;
  private address = "";

  private readonly upstream: URL;
  /** ANTHROPIC_CUSTOM_HEADERS ("Name: value" lines), added here instead of in the agent's process. */
  private readonly customHeaders: Record<string, string> = {};

  private constructor(
    environment: NodeJS.ProcessEnv,
    private readonly credential: UpstreamCredential,
  ) {
    this.upstream = new URL(environment.ANTHROPIC_BASE_URL || "https://api.anthropic.com");
    for (const line of (environment.ANTHROPIC_CUSTOM_HEADERS ?? "").split("\n")) {
      const at = line.indexOf(":");
      if (at > 0) this.customHeaders[line.slice(0, at).trim().toLowerCase()] = line.slice(at + 1).trim();
    }
  }

  /**
   * A proxy for the gateway's credential in `environment`, or undefined when it has none there (a
   * `claude auth login` file: agents then log in with it, see the README's Security section).
   */
  static for(environment: NodeJS.ProcessEnv): UpstreamProxy | undefined {
    const apiKey = environment.ANTHROPIC_API_KEY;
    const bearer = environment.CLAUDE_CODE_OAUTH_TOKEN || environment.ANTHROPIC_AUTH_TOKEN;
    if (apiKey) return new UpstreamProxy(environment, { kind: "api_key", value: apiKey });
    return bearer ? new UpstreamProxy(environment, { kind: "bearer", value: bearer }) : undefined;
  }

  async start(): Promise<void> {
    const server = createServer((incoming, outgoing) => {
      try {
        this.forward(incoming, outgoing);
      } catch {
        // Whatever a caller sends, the gateway stays up.
        if (!outgoing.headersSent) outgoing.writeHead(500);
        outgoing.end();
      }
    });
    await new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      server.listen(0, "127.0.0.1", () => resolve());
    });
    this.server = server;
    this.address = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  }

  /**
   * What a room's CLI gets instead of the gateway's credential: the proxy as its API, and its
   * room's token in the variable the gateway's own credential was in (so the CLI sends it the same
   * way: `x-api-key` for a key, a bearer token — with its OAuth headers — for a token).
   */
  environmentFor(owner: string): Record<string, string> {
    let token = this.tokens.get(owner);
    if (!token) {
      token = `ccapi-room-${randomBytes(24).toString("hex")}`;
      this.tokens.set(owner, token);
      this.known.add(token);
    }
    const variable = this.credential.kind === "api_key" ? "ANTHROPIC_API_KEY" : "CLAUDE_CODE_OAUTH_TOKEN";
    return { ANTHROPIC_BASE_URL: this.address, [variable]: token };
  }

  close(): Promise<void> {
    const server = this.server;
    if (!server) return Promise.resolve();
    return new Promise((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    });
  }

  private forward(incoming: IncomingMessage, outgoing: ServerResponse): void {
    const presented =
      (incoming.headers["x-api-key"] as string | undefined) ??
      /^Bearer\s+(.+)$/i.exec(incoming.headers.authorization ?? "")?.[1];
    if (!presented || !this.known.has(presented)) {
      outgoing.writeHead(401, { "content-type": "application/json" });
      outgoing.end(
        JSON.stringify({ type: "error", error: { type: "authentication_error", message: "invalid room token" } }),
      );
      return;
    }
    // Only a path, put under the upstream's own origin: an absolute-form request line
    // ("POST http://elsewhere/…") must never carry the real credential anywhere else.
    const path = incoming.url ?? "/";
    const target = /^\/(?!\/)/.test(path)
      ? parsedUrl(`${this.upstream.origin}${this.upstream.pathname.replace(/\/$/, "")}${path}`)
      : undefined;
    if (!target || target.origin !== this.upstream.origin) {
      outgoing.writeHead(400, { "content-type": "application/json" });
      outgoing.end(
        JSON.stringify({ type: "error", error: { type: "invalid_request_error", message: "not an API path" } }),
      );
      return;
    }
    const headers: Record<string, string | string[]> = {};
    for (const [name, value] of Object.entries(incoming.headers)) {
      if (value !== undefined && !dropped.has(name)) headers[name] = value;
    }
    Object.assign(headers, this.customHeaders);
    if (this.credential.kind === "api_key") headers["x-api-key"] = this.credential.value;
    else headers.authorization = `Bearer ${this.credential.value}`;
    const send = target.protocol === "https:" ? httpsRequest : httpRequest;
    const upstream = send(target, { method: incoming.method, headers }, (answer) => {
      outgoing.writeHead(answer.statusCode ?? 502, answer.headers);
      answer.pipe(outgoing);
    });
    upstream.on("error", () => {
      if (!outgoing.headersSent) outgoing.writeHead(502, { "content-type": "application/json" });
      outgoing.end();
    });
    incoming.on("aborted", () => upstream.destroy());
    incoming.pipe(upstream);
  }
}

function parsedUrl(text: string): URL | undefined {
  try {
    return new URL(text);
  } catch {
    return undefined;
  }
}
