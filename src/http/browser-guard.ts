/**
 * What keeps a web page from driving a gateway it can reach (a local one above all): a page may
 * make the browser send requests anywhere, but it cannot choose their `Host` (a DNS-rebinding page
 * sends its own name) and it cannot hide its `Origin`. So a request must name an allowed host, and
 * a request that carries an Origin must come from an allowed origin or from the gateway itself.
 * (A form's text/plain body is refused elsewhere: POST bodies must be JSON.)
 */
import { isIP } from "node:net";
import type { Configuration } from "../config/configuration-schema.js";
import { GatewayError } from "../errors.js";

const loopbackNames = ["localhost", "127.0.0.1", "::1"];
const wildcardAddresses = new Set(["0.0.0.0", "::", ""]);

export interface BrowserGuard {
  /** undefined when allowed, else the refusal. */
  checkHost(hostHeader: string | undefined): GatewayError | undefined;
  checkOrigin(originHeader: string | undefined, hostHeader: string | undefined): GatewayError | undefined;
}

export function createBrowserGuard(server: Configuration["server"]): BrowserGuard {
  const bind = bare(server.host);
  const listed = server.allowed_hosts?.map((host) => bare(host).toLowerCase());
  const anyHost = listed?.includes("*") ?? false;
  const names = new Set(listed ?? [...loopbackNames, bind.toLowerCase()]);
  // Bound to every address, the gateway is reached by whatever IP the client used; a rebinding
  // page always sends a name, never an address.
  const anyAddress = listed === undefined && wildcardAddresses.has(bind);
  const anyOrigin = server.cors_origins.includes("*");
  const origins = new Set(server.cors_origins);
  return {
    checkHost(hostHeader) {
      if (anyHost) return undefined;
      const name = hostName(hostHeader ?? "");
      if (name !== undefined && (names.has(name) || (anyAddress && isIP(name) !== 0))) return undefined;
      return new GatewayError(
        `The Host header ${JSON.stringify(hostHeader ?? "")} is not one this gateway serves (server.allowed_hosts).`,
        { status: 421, type: "invalid_request_error", code: "host_not_allowed", retryable: false },
      );
    },
    checkOrigin(originHeader, hostHeader) {
      if (originHeader === undefined || anyOrigin || origins.has(originHeader)) return undefined;
      // A page of the gateway's own is the gateway's (behind a TLS proxy its scheme is not ours to know).
      if (hostHeader !== undefined && /^https?:\/\/(.*)$/.exec(originHeader)?.[1] === hostHeader) return undefined;
      return new GatewayError(
        `Requests from the web origin ${JSON.stringify(originHeader)} are not allowed (server.cors_origins).`,
        { status: 403, type: "permission_error", code: "origin_not_allowed", retryable: false },
      );
    },
  };
}

function bare(host: string): string {
  return host.replace(/^\[|\]$/g, "");
}

/** The name in a Host header, lower-cased, without port or IPv6 brackets; undefined if malformed. */
function hostName(header: string): string | undefined {
  const match = /^(?:\[([0-9a-fA-F:.]+)\]|([^:[\]]+))(?::\d{1,5})?$/.exec(header.trim());
  return (match?.[1] ?? match?.[2])?.toLowerCase();
}
