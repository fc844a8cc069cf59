/**
 * Serving another address without keys would open Claude Code to the network: refused unless the
 * operator says so. The host is judged by what it resolves to, not by how it is spelt — a name
 * like `127.0.0.1.example.invalid` resolves elsewhere (or nowhere) and is not loopback. A gateway
 * on loopback behind a reverse proxy serves the network just the same: naming the proxy in
 * server.trusted_proxies says so, and then keyless callers are not the operator.
 */
import { lookup } from "node:dns/promises";
import { isIP } from "node:net";
import { ConfigurationError } from "../config/configuration-error.js";
import type { Configuration } from "../config/configuration-schema.js";
import type { ApiKeys } from "./api-keys.js";

function isLoopbackAddress(address: string): boolean {
  const bare = address.replace(/^\[|\]$/g, "");
  if (isIP(bare) === 4) return bare.startsWith("127.");
  if (isIP(bare) === 6) return bare === "::1" || /^::ffff:127\./i.test(bare);
  return false;
}

/** Every address `host` resolves to (an IP literal is itself; a name that does not resolve: none). */
async function resolvedAddresses(host: string): Promise<string[]> {
  const bare = host.replace(/^\[|\]$/g, "");
  if (isIP(bare) !== 0) return [bare];
  try {
    return (await lookup(bare, { all: true })).map((entry) => entry.address);
  } catch {
    return [];
  }
}

/**
 * Whether only this machine's own processes call: server.host reaches loopback only and no trusted
 * proxy forwards other machines' requests.
 */
export async function servesLoopbackOnly(server: Configuration["server"]): Promise<boolean> {
  return server.trusted_proxies.length === 0 && (await isLoopbackOnly(server.host));
}

/** Whether `host` reaches this machine's loopback only. */
export async function isLoopbackOnly(host: string): Promise<boolean> {
  const addresses = await resolvedAddresses(host);
  return addresses.length > 0 && addresses.every(isLoopbackAddress);
}

/** `loopbackOnly`: what servesLoopbackOnly said (resolved once, at start-up). */
export async function checkExposure(configuration: Configuration, keys: ApiKeys, loopbackOnly: boolean): Promise<void> {
  const { host, trusted_proxies } = configuration.server;
  if (keys.required || configuration.auth.allow_anonymous_remote || loopbackOnly) return;
  if (trusted_proxies.length > 0) {
    throw new ConfigurationError(
      "server.trusted_proxies is set (other machines call through a proxy) and no API key is configured; set auth.keys (or auth.api_keys, auth.keys_file), or auth.allow_anonymous_remote = true to serve anyone",
    );
  }
  const addresses = await resolvedAddresses(host);
  throw new ConfigurationError(
    `server.host: ${host} is not a loopback address${addresses.length > 0 ? ` (it resolves to ${addresses.join(", ")})` : ""} and no API key is configured; set auth.keys (or auth.api_keys, auth.keys_file), or auth.allow_anonymous_remote = true to serve anyone`,
  );
}
