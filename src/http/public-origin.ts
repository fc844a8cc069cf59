/**
 * The scheme and host a client used to reach the gateway. Behind a reverse proxy that terminates
 * TLS the gateway sees plain http, so a session's ws_url built from the request would say ws://
 * where the client needs wss://; the proxy tells the client's own scheme and host in
 * X-Forwarded-Proto and X-Forwarded-Host. Anyone can send those headers, so they are believed only
 * on a connection from an address of server.trusted_proxies; from anywhere else (and when the list
 * is empty) they are ignored and the request's own scheme and Host stand.
 */
import { BlockList, isIP } from "node:net";

export interface PublicOrigin {
  protocol: "http:" | "https:";
  /** As in a Host header (name or address, and a port when not the scheme's); undefined without one. */
  host: string | undefined;
}

export interface ArrivedRequest {
  /** The TCP peer: the proxy's address when there is one. Undefined under `app.request()`. */
  remoteAddress: string | undefined;
  protocol: "http:" | "https:";
  header(name: string): string | undefined;
}

export type PublicOriginOf = (request: ArrivedRequest) => PublicOrigin;

const hostPattern = /^(?:\[[0-9a-fA-F:.]+\]|[A-Za-z0-9.-]+)(?::\d{1,5})?$/;

export function createPublicOriginOf(trustedProxies: readonly string[]): PublicOriginOf {
  const trusted = new BlockList();
  for (const entry of trustedProxies) {
    const [address = "", prefix] = entry.split("/");
    const type = isIP(address) === 6 ? "ipv6" : "ipv4";
    if (prefix === undefined) trusted.addAddress(address, type);
    else trusted.addSubnet(address, Number(prefix), type);
  }
  const isTrusted = (address: string | undefined) =>
    address !== undefined && isIP(address) !== 0 && trusted.check(address, isIP(address) === 6 ? "ipv6" : "ipv4");
  return (request) => {
    const own: PublicOrigin = { protocol: request.protocol, host: request.header("host") };
    if (trustedProxies.length === 0 || !isTrusted(request.remoteAddress)) return own;
    // A proxy that appends to what its client sent puts its own word last; one that overwrites
    // (nginx's proxy_set_header) sends only its own.
    const proto = lastOf(request.header("x-forwarded-proto"))?.toLowerCase();
    const host = lastOf(request.header("x-forwarded-host"));
    return {
      protocol: proto === "https" ? "https:" : proto === "http" ? "http:" : own.protocol,
      host: host !== undefined && hostPattern.test(host) ? host : own.host,
    };
  };
}

function lastOf(list: string | undefined): string | undefined {
  const last = list?.split(",").pop()?.trim();
  return last || undefined;
}
