/**
 * API keys: from `auth.api_keys` and `auth.keys_file`. A presented key is compared with every
 * configured one in constant time (SHA-256 digests, timingSafeEqual, no early exit), so timing
 * tells nothing about how close a guess was. A key's owner id — what conversations and sessions
 * belong to — is derived from it and never reveals it.
 */
import { createHash, timingSafeEqual } from "node:crypto";
import { readFileSync } from "node:fs";
import { ConfigurationError } from "../config/configuration-error.js";
import type { Configuration } from "../config/configuration-schema.js";

const digest = (key: string) => createHash("sha256").update(key).digest();

export class ApiKeys {
  private readonly digests: Buffer[];

  constructor(keys: readonly string[]) {
    this.digests = keys.map(digest);
  }

  get required(): boolean {
    return this.digests.length > 0;
  }

  /** The owner id of a valid key, or undefined. */
  authenticate(presented: string | undefined): string | undefined {
    if (presented === undefined || presented.length === 0) return undefined;
    const candidate = digest(presented);
    let match: Buffer | undefined;
    for (const known of this.digests) if (timingSafeEqual(known, candidate)) match = known;
    return match && `key_${match.toString("hex").slice(0, 16)}`;
  }
}

/** The configured keys (list and file), or a ConfigurationError naming the key that is wrong. */
export function loadApiKeys(auth: Configuration["auth"]): ApiKeys {
  const keys = [...auth.api_keys];
  if (auth.keys_file) {
    let text: string;
    try {
      text = readFileSync(auth.keys_file, "utf8");
    } catch (error) {
      throw new ConfigurationError(`auth.keys_file: cannot read ${auth.keys_file} (${String(error)})`);
    }
    for (const line of text.split("\n").map((entry) => entry.trim())) {
      if (line.length === 0 || line.startsWith("#")) continue;
      if (line.length < 8)
        throw new ConfigurationError(`auth.keys_file: a key in ${auth.keys_file} is shorter than 8 characters`);
      keys.push(line);
    }
  }
  return new ApiKeys(keys);
}

const loopback = new Set(["127.0.0.1", "::1", "localhost", "[::1]"]);

/** Serving another address without keys would open Claude Code to the network: refuse unless asked. */
export function checkExposure(configuration: Configuration, keys: ApiKeys): void {
  const { host } = configuration.server;
  if (keys.required || loopback.has(host) || host.startsWith("127.") || configuration.auth.allow_anonymous_remote)
    return;
  throw new ConfigurationError(
    `server.host: ${host} is not a loopback address and no API key is configured; set auth.api_keys (or auth.keys_file), or auth.allow_anonymous_remote = true to serve anyone`,
  );
}
