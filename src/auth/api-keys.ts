/**
 * API keys: `auth.keys` entries (a name, the key or its SHA-256 digest, grants, own limits), and
 * the plain `auth.api_keys` list and `auth.keys_file` (keys without grants). A presented key is
 * compared with every configured digest in constant time (timingSafeEqual, no early exit), so
 * timing tells nothing about how close a guess was. A key's owner id is derived from its digest
 * and never reveals it.
 */
import { createHash, timingSafeEqual } from "node:crypto";
import { readFileSync } from "node:fs";
import { ConfigurationError } from "../config/configuration-error.js";
import type { Configuration, GrantName } from "../config/configuration-schema.js";
import type { Caller, StorageLimits } from "./caller.js";

const megabytes = (count: number) => Math.floor(count * 1024 * 1024);

const digest = (key: string) => createHash("sha256").update(key).digest();

interface KnownKey {
  digest: Buffer;
  caller: Caller;
}

export class ApiKeys {
  constructor(
    private readonly known: readonly KnownKey[],
    /** Who calls when no key is configured (the operator, on loopback). */
    readonly operator: Caller,
  ) {}

  get required(): boolean {
    return this.known.length > 0;
  }

  /** Everyone who can call: the keys' callers, or the operator when there are no keys. */
  callers(): Caller[] {
    return this.required ? this.known.map((key) => key.caller) : [this.operator];
  }

  /** Who presents `key`: the operator when no key is configured, else the key's caller (undefined: no such key). */
  callerFor(key: string | undefined): Caller | undefined {
    return this.required ? this.authenticate(key) : this.operator;
  }

  /** The caller with this owner id (a request another instance vouches for), or undefined. */
  callerOfOwner(owner: string): Caller | undefined {
    if (!this.required) return owner === this.operator.owner ? this.operator : undefined;
    return this.known.find((key) => key.caller.owner === owner)?.caller;
  }

  /** The caller a valid key stands for, or undefined. */
  authenticate(presented: string | undefined): Caller | undefined {
    if (presented === undefined || presented.length === 0) return undefined;
    const candidate = digest(presented);
    let match: Caller | undefined;
    for (const key of this.known) if (timingSafeEqual(key.digest, candidate)) match = key.caller;
    return match;
  }
}

/**
 * The configured keys, or a ConfigurationError naming the key that is wrong. A key's grant of a
 * feature the configuration does not enable gives nothing. Without keys, the caller is the
 * operator — on loopback only (`loopbackOnly`): anonymous callers from elsewhere
 * (`auth.allow_anonymous_remote`) get a model and nothing more.
 */
export function loadApiKeys(configuration: Configuration, loopbackOnly = true): ApiKeys {
  const { auth, conversation } = configuration;
  const enabled = enabledGrants(configuration);
  const storage: StorageLimits = {
    maxConversations: conversation.max_conversations_per_key,
    maxStoredBytes: megabytes(conversation.max_stored_mb_per_key),
    retentionDays: conversation.retention_days,
  };
  const defaults = {
    requestsPerMinute: auth.requests_per_minute,
    maxConcurrentRequests: auth.max_concurrent_requests,
    maxProcesses: auth.max_processes_per_key,
  };
  const known: KnownKey[] = [];
  const add = (
    keyDigest: Buffer,
    name: string,
    grants: readonly GrantName[],
    limits = defaults,
    keyStorage = storage,
  ) => {
    if (known.some((key) => key.digest.equals(keyDigest))) {
      throw new ConfigurationError(`auth: the key named ${name} is configured twice`);
    }
    // Names tell keys apart wherever keys are never shown (the admin's usage by key, the logs).
    if (known.some((key) => key.caller.name === name)) {
      throw new ConfigurationError(`auth: two keys are named ${name}; give each its own name`);
    }
    const owner = `key_${keyDigest.toString("hex").slice(0, 16)}`;
    const granted = new Set(grants.filter((grant) => enabled.has(grant)));
    known.push({
      digest: keyDigest,
      caller: Object.freeze({ owner, name, grants: granted, limits, storage: keyStorage }),
    });
  };
  for (const entry of auth.keys) {
    const keyDigest = entry.key !== undefined ? digest(entry.key) : Buffer.from(entry.key_sha256 ?? "", "hex");
    const limits = {
      requestsPerMinute: entry.requests_per_minute ?? defaults.requestsPerMinute,
      maxConcurrentRequests: entry.max_concurrent_requests ?? defaults.maxConcurrentRequests,
      maxProcesses: entry.max_processes ?? defaults.maxProcesses,
    };
    add(keyDigest, entry.name, entry.grants, limits, {
      maxConversations: entry.max_conversations ?? storage.maxConversations,
      maxStoredBytes: entry.max_stored_mb === undefined ? storage.maxStoredBytes : megabytes(entry.max_stored_mb),
      retentionDays: entry.retention_days ?? storage.retentionDays,
    });
  }
  for (const [index, key] of auth.api_keys.entries()) add(digest(key), `api_keys[${index}]`, []);
  for (const [index, key] of readKeysFile(auth.keys_file).entries()) add(digest(key), `keys_file[${index}]`, []);
  const operator: Caller = Object.freeze({
    owner: "",
    name: loopbackOnly ? "operator" : "anonymous",
    grants: loopbackOnly ? enabled : new Set<GrantName>(),
    // The operator may use the whole pool; anonymous remote callers (one owner, all of them) a key's share.
    limits: loopbackOnly ? { ...defaults, maxProcesses: undefined } : defaults,
    // Whoever calls without a key (every local process, on loopback) shares one key's storage.
    storage,
  });
  return new ApiKeys(known, operator);
}

/** The grants the configuration enables; the operator on keyless loopback has all of them. */
function enabledGrants(configuration: Configuration): Set<GrantName> {
  const grants = new Set<GrantName>(["admin"]);
  if (configuration.agent.enabled) grants.add("agent");
  if (configuration.sessions.enabled) grants.add("sessions");
  return grants;
}

function readKeysFile(path: string | undefined): string[] {
  if (!path) return [];
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (error) {
    throw new ConfigurationError(`auth.keys_file: cannot read ${path} (${String(error)})`);
  }
  const keys: string[] = [];
  for (const line of text.split("\n").map((entry) => entry.trim())) {
    if (line.length === 0 || line.startsWith("#")) continue;
    if (line.length < 8) throw new ConfigurationError(`auth.keys_file: a key in ${path} is shorter than 8 characters`);
    keys.push(line);
  }
  return keys;
}
