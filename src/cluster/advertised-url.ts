/**
 * The address other instances reach this one at: `server.advertise_url`, or — bound to one address
 * — that address and the port it listens on. Bound to every address (0.0.0.0, ::) an instance
 * sharing a Redis cannot tell which of its addresses the others reach, so it must be told.
 */
import { ConfigurationError } from "../config/configuration-error.js";
import type { Configuration } from "../config/configuration-schema.js";

const everyAddress = new Set(["0.0.0.0", "::", "[::]", ""]);

export function checkAdvertising(configuration: Configuration): void {
  const { server, store } = configuration;
  if (!store.url.startsWith("redis") || server.advertise_url !== undefined) return;
  if (everyAddress.has(server.host)) {
    throw new ConfigurationError(
      `server.advertise_url is required: instances sharing a Redis store send each other the work they hold, and this one listens on every address (${server.host || "*"}), so it cannot tell which one the others reach (e.g. advertise_url = "http://10.0.0.5:8080").`,
    );
  }
}

/** `listeningUrl`: the server's own, with the port it got. */
export function advertisedUrl(server: Configuration["server"], listeningUrl: string): string {
  return (server.advertise_url ?? listeningUrl).replace(/\/+$/, "");
}
