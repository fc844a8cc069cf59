/**
 * Every configuration key and its default, in one place. Objects are strict so a misspelt key
 * stops start-up with its name instead of being silently ignored.
 */
import { isIP } from "node:net";
import { homedir } from "node:os";
import { join } from "node:path";
import { z } from "zod";

/** An IP address, or a CIDR range of them (`10.0.0.0/8`, `fd00::/8`). */
function isAddressOrRange(entry: string): boolean {
  const [address = "", prefix, ...rest] = entry.split("/");
  const family = isIP(address);
  if (family === 0 || rest.length > 0) return false;
  return prefix === undefined || (/^\d{1,3}$/.test(prefix) && Number(prefix) <= (family === 4 ? 32 : 128));
}

/** `http[s]://host[:port]` and nothing more (a trailing slash is allowed). */
function isOrigin(value: string): boolean {
  try {
    const url = new URL(value);
    return /^https?:$/.test(url.protocol) && url.pathname === "/" && !url.search && !url.hash && !url.username;
  } catch {
    return false;
  }
}

function defaultDataDirectory(): string {
  const dataHome = process.env.XDG_DATA_HOME || join(homedir(), ".local", "share");
  return join(dataHome, "claude-code-api");
}

const serverSchema = z.strictObject({
  /** Loopback by default: the gateway is reachable from other machines only when asked. */
  host: z.string().min(1).default("127.0.0.1"),
  /** 0 takes a free port; the real one is printed in the "listening on" line. */
  port: z.number().int().min(0).max(65535).default(8080),
  /** A `: ping` comment is sent on an SSE stream that has been silent this long. */
  sse_keepalive_seconds: z.number().positive().default(15),
  /** On SIGTERM/SIGINT, answers in flight may finish for this long before they are cut. */
  shutdown_grace_seconds: z.number().min(0).default(10),
  /** Largest request body; larger ones get 413 without being read. */
  body_limit_mb: z.number().positive().default(50),
  /**
   * Request bodies read at once, in all (each counted at its Content-Length); past it, 503 with
   * Retry-After before the body is read. A body costs several times its size while parsed.
   */
  max_body_mb_in_flight: z.number().positive().default(100),
  /** A request's headers must arrive within this long (else 408 and the connection is closed). */
  header_timeout_seconds: z.number().positive().default(20),
  /**
   * The whole request, headers and body, must have arrived within this long (else 408, connection
   * closed). Only receiving: the answer, streamed or not, may take claude.timeout_seconds.
   */
  body_timeout_seconds: z.number().positive().default(120),
  /** Open connections (WebSockets included) at once; beyond, a new one gets 503 and is closed. */
  max_connections: z.number().int().positive().default(1024),
  /** Open connections from one client address; behind a reverse proxy all come from the proxy's. */
  max_connections_per_address: z.number().int().positive().default(128),
  /** An idle keep-alive connection is closed after this long. */
  keep_alive_timeout_seconds: z.number().positive().default(5),
  /** Requests one connection may carry; the last one's answer says `connection: close`. */
  max_requests_per_connection: z.number().int().positive().default(1000),
  /**
   * Bytes of an SSE answer the client has not yet taken that the gateway holds; past this the
   * stream is cut and its turn interrupted (a client that never reads cannot grow its memory).
   */
  stream_buffer_kb: z.number().int().positive().default(1024),
  /** Origins browsers may call the gateway from (CORS, WebSocket upgrades); "*" for any. Empty: none. */
  cors_origins: z.array(z.string().min(1)).default([]),
  /**
   * Names a request's `Host` may carry (without port; "*" for any). Unset: loopback names, the bind
   * address, and — bound to a wildcard address — any IP address. A DNS-rebinding page sends its own name.
   */
  allowed_hosts: z.array(z.string().min(1)).optional(),
  /**
   * Where other instances sharing the Redis store reach this one (http[s]://host:port): they send
   * it the tool results and session traffic of the work it holds. Unset: the address it listens on
   * (required when that is every address, 0.0.0.0 or ::).
   */
  advertise_url: z.string().refine(isOrigin, "must be an origin: http[s]://host:port, no path").optional(),
  /**
   * Reverse proxies (addresses or CIDR ranges) whose X-Forwarded-Proto and X-Forwarded-Host are
   * believed, checked against the connection's address: the client's scheme and host then make a
   * session's ws_url (wss:// behind TLS) and meet allowed_hosts. Empty: those headers are ignored,
   * whoever sends them. Other machines call through a proxy, so this requires keys.
   */
  trusted_proxies: z
    .array(z.string().refine(isAddressOrRange, "must be an IP address or a CIDR range such as 10.0.0.0/8"))
    .default([]),
});

/** What a key may do beyond asking the model (see the README's Security section). */
const grantNames = ["agent", "sessions", "admin"] as const;
export type GrantName = (typeof grantNames)[number];

const keyEntrySchema = z
  .strictObject({
    /** Shown in logs and /stats; never the key itself. */
    name: z.string().min(1),
    /** The key as clients send it … */
    key: z.string().min(8, "an API key must have at least 8 characters").optional(),
    /** … or its SHA-256 digest (hex), so the configuration need not hold the key. */
    key_sha256: z
      .string()
      .regex(/^[0-9a-fA-F]{64}$/, "must be 64 hex digits")
      .optional(),
    grants: z.array(z.enum(grantNames)).default([]),
    requests_per_minute: z.number().int().positive().optional(),
    max_concurrent_requests: z.number().int().positive().optional(),
    /** CLI processes this key may hold at once (overrides auth.max_processes_per_key). */
    max_processes: z.number().int().positive().optional(),
    /** Overrides conversation.max_conversations_per_key for this key. */
    max_conversations: z.number().int().positive().optional(),
    /** Overrides conversation.max_stored_mb_per_key for this key. */
    max_stored_mb: z.number().positive().optional(),
    /** Overrides conversation.retention_days for this key. */
    retention_days: z.number().min(0).optional(),
  })
  .refine((entry) => (entry.key === undefined) !== (entry.key_sha256 === undefined), {
    message: "set exactly one of key and key_sha256",
    path: ["key"],
  });

const authSchema = z.strictObject({
  /** Keys with names, grants and limits of their own. */
  keys: z.array(keyEntrySchema).default([]),
  /** Plain keys (no grants) clients send as `Authorization: Bearer <key>` or `x-api-key: <key>`. */
  api_keys: z.array(z.string().min(8, "an API key must have at least 8 characters")).default([]),
  /** A file with one key per line (blank lines and lines starting with # are skipped). */
  keys_file: z.string().min(1).optional(),
  /** Without keys the gateway serves only on loopback; true lets it serve anyone on another address. */
  allow_anonymous_remote: z.boolean().default(false),
  /** Requests one key may start per minute (429 with Retry-After beyond). Unset: no limit. */
  requests_per_minute: z.number().int().positive().optional(),
  /** Requests one key may have in flight at once (429 beyond). Unset: no limit. */
  max_concurrent_requests: z.number().int().positive().optional(),
  /**
   * CLI processes one key may hold at once: conversations kept warm, turns waiting for tool results,
   * live sessions, turns running. Past it the key's oldest idle conversation is let go, else 429.
   */
  max_processes_per_key: z.number().int().positive().default(4),
});

const claudeSchema = z.strictObject({
  /** The CLI binary. Unset: `claude` on PATH, else the npm dependency @anthropic-ai/claude-code. */
  command: z.string().min(1).optional(),
  /** Longest a request may take, queueing included; then the turn is interrupted and 504 returned. */
  timeout_seconds: z.number().positive().default(300),
  /** Most CLI processes alive at once (each holds ~150–200 MB). */
  max_concurrent_sessions: z.number().int().min(1).default(10),
  /** Requests waiting for a process beyond that; past this they get 429. */
  max_queued_requests: z.number().int().min(0).default(100),
  /** true: warm pool of long-lived processes; false: one process per request (for comparison). */
  use_interactive_sessions: z.boolean().default(true),
  /** Booted processes kept ready for new conversations. */
  pool_min_idle: z.number().int().min(0).default(2),
  /** A warm process unused this long is ended (down to pool_min_idle ready ones). */
  idle_timeout_seconds: z.number().positive().default(600),
  /** The CLI's working directory. Unset: `<data_dir>/workspace`. */
  workspace: z.string().min(1).optional(),
  /** Model for requests that name none, and the model processes start with. Unset: the CLI's default. */
  default_model: z.string().min(1).optional(),
  /** "replace": system messages replace Claude Code's system prompt; "append": they are appended to it. */
  system_prompt_mode: z.enum(["replace", "append"]).default("replace"),
  /** Passed as --setting-sources; "" loads no user/project settings files into the CLI. */
  setting_sources: z.string().default(""),
  /** --max-turns: most agentic steps (API calls) in one turn; past it the request gets 422. */
  max_turns: z.number().int().positive().optional(),
  /** --max-budget-usd: spending limit of each CLI process; past it requests get 429 budget_exceeded. */
  max_budget_usd: z.number().positive().optional(),
  /** --fallback-model: the model the CLI switches to when the requested one is overloaded. */
  fallback_model: z.string().min(1).optional(),
  /** Effort level for requests without reasoning_effort (low, medium, high, xhigh, max). Unset: the CLI's. */
  effort: z.enum(["low", "medium", "high", "xhigh", "max"]).optional(),
  /**
   * Variables of the gateway's environment passed on to the CLI besides the allow-list (PATH, HOME,
   * locale, TMPDIR, proxies, ANTHROPIC_*, CLAUDE_CODE_* but never CLAUDE_CODE__*, …).
   */
  env_passthrough: z.array(z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, "must be a variable name")).default([]),
});

const agentSchema = z.strictObject({
  /**
   * Keys granted "agent" (and the operator on keyless loopback) get Claude Code as an agent: its
   * built-in tools, the MCP servers of mcp.*, file access as in file_access.*, each key in its room.
   */
  enabled: z.boolean().default(false),
  /** Bash runs in Claude Code's sandbox (bubblewrap): writes only in the key's room, other rooms unreadable. */
  sandbox: z.boolean().default(true),
  /**
   * Where the rooms are (a directory per key: workspace and CLI config dir). Unset: `<data_dir>/rooms`.
   * When the gateway runs as root, each room's CLI runs as a user of its own, which must be able to reach it.
   */
  rooms_dir: z.string().min(1).optional(),
  /** As root: the first of the user (and group) ids the rooms' CLI processes run as, one per room. */
  room_uid_base: z.number().int().min(1000).max(2_000_000_000).default(61000),
});

const mcpSchema = z.strictObject({
  /** Give the CLI the MCP servers below (its tools appear as mcp__<server>__<tool>). */
  enabled: z.boolean().default(false),
  /** A file with the usual {"mcpServers": {…}} JSON. */
  config_file: z.string().min(1).optional(),
  /** The same JSON, inline (a string). */
  config_json: z.string().min(1).optional(),
  /** --strict-mcp-config: no MCP server but these (a stray .mcp.json cannot start any). */
  strict: z.boolean().default(true),
  /** --debug mcp: the CLI logs its MCP traffic to stderr (the gateway's log at debug level). */
  debug: z.boolean().default(false),
});

const conversationSchema = z.strictObject({
  /**
   * Most messages a conversation keeps (older items are dropped from the store; the CLI session
   * keeps and compacts its own context). Also caps the earlier messages replayed as text when a
   * client's history starts a new conversation.
   */
  max_history_messages: z.number().int().min(2).default(1000),
  /** A conversation's process is released after this long without a message; a later one resumes it. */
  session_timeout_minutes: z.number().positive().default(30),
  /** A request for a conversation that is answering another waits this long, then gets 409. */
  busy_wait_seconds: z.number().min(0).default(5),
  /**
   * Conversations one key may keep stored (the keyless operator counts as one key); past it, a
   * request that would start another gets 429 quota_exceeded until some are deleted or expire.
   */
  max_conversations_per_key: z.number().int().positive().default(1000),
  /** Megabytes of items, CLI transcripts and system prompts one key may keep stored; past it, 429 quota_exceeded. */
  max_stored_mb_per_key: z.number().positive().default(200),
  /**
   * A conversation not advanced for this many days is deleted — record, items, transcripts, the
   * CLI's own files — and the CLI's leftover session files with it. 0: kept until deleted.
   */
  retention_days: z.number().min(0).default(30),
});

const toolsSchema = z.strictObject({
  /** A turn that returned tool_calls waits this long for the client's results, then is abandoned. */
  pending_timeout_seconds: z.number().positive().default(300),
  /** Keep Claude Code's built-in tools (Read, Bash, …) offered when a request brings its own tools. */
  keep_builtin_tools: z.boolean().default(false),
});

const fileAccessSchema = z.strictObject({
  /** --add-dir: directories the CLI may work in besides its workspace; also where request images may be read from. */
  additional_dirs: z.array(z.string().min(1)).default([]),
  /** --permission-mode: default, acceptEdits, plan, dontAsk or bypassPermissions. Unset: the CLI's default. */
  permission_mode: z.enum(["default", "acceptEdits", "plan", "dontAsk", "bypassPermissions"]).optional(),
  /** --allowedTools: tools (or patterns like "Bash(git:*)", "mcp__server") allowed without asking. */
  allowed_tools: z.array(z.string().min(1)).default([]),
  /** --disallowedTools: tools the model may not use. */
  disallowed_tools: z.array(z.string().min(1)).default([]),
  /**
   * --dangerously-skip-permissions: every tool may do anything the gateway's user may. Refused when
   * running as root unless IS_SANDBOX=1 is set (the CLI's own rule).
   */
  skip_permissions: z.boolean().default(false),
});

const imagesSchema = z.strictObject({
  /** Largest image a request may carry (decoded bytes); larger ones get 413. */
  max_bytes: z
    .number()
    .int()
    .positive()
    .default(5 * 1024 * 1024),
  /** Most images in one request. */
  max_per_request: z.number().int().positive().default(20),
});

const sessionsSchema = z.strictObject({
  /** Live sessions may be started (by keys granted "sessions", and the operator on keyless loopback). */
  enabled: z.boolean().default(false),
  /** A live session with no WebSocket client connected for this long is ended. */
  idle_timeout_seconds: z.number().positive().default(300),
  /**
   * What a session keeps for clients joining late, in KiB of the messages' JSON: past it the oldest
   * whole messages are dropped (and a late joiner is told how many).
   */
  max_history_kb: z.number().int().positive().default(1024),
  /** WebSocket clients one session may have at once; the next upgrade gets 429. */
  max_clients_per_session: z.number().int().positive().default(8),
  /** WebSocket clients one key may have at once across its sessions; the next upgrade gets 429. */
  max_clients_per_key: z.number().int().positive().default(32),
});

const cacheSchema = z.strictObject({
  /** Keep answers for identical requests (see the README for which requests qualify). */
  enabled: z.boolean().default(false),
  max_entries: z.number().int().positive().default(1000),
  ttl_seconds: z.number().positive().default(300),
});

const storeSchema = z.strictObject({
  /** `sqlite:<path>` (embedded) or `redis://[:password@]host:port[/db]` (shared by several instances). Unset: `sqlite:<data_dir>/conversations.sqlite`. */
  url: z
    .string()
    .regex(/^(sqlite:|rediss?:\/\/)/, "must start with sqlite: or redis:// (rediss:// for TLS)")
    .optional(),
  /** Prefix of every Redis key, so one Redis can serve several gateways' deployments. */
  redis_key_prefix: z.string().default("ccapi:"),
});

/** The raw shape, before cross-key checks: reading environment overrides looks up key types here. */
export const configurationObjectSchema = z.strictObject({
  /** Where the gateway keeps its own files (the CLI workspace by default). */
  data_dir: z.string().min(1).default(defaultDataDirectory()),
  server: serverSchema.prefault({}),
  auth: authSchema.prefault({}),
  claude: claudeSchema.prefault({}),
  conversation: conversationSchema.prefault({}),
  tools: toolsSchema.prefault({}),
  agent: agentSchema.prefault({}),
  mcp: mcpSchema.prefault({}),
  sessions: sessionsSchema.prefault({}),
  cache: cacheSchema.prefault({}),
  file_access: fileAccessSchema.prefault({}),
  images: imagesSchema.prefault({}),
  store: storeSchema.prefault({}),
});

export const configurationSchema = configurationObjectSchema
  .superRefine((configuration, context) => {
    const { mcp } = configuration;
    if (mcp.enabled && (mcp.config_file === undefined) === (mcp.config_json === undefined)) {
      context.addIssue({
        code: "custom",
        path: ["mcp", "config_file"],
        message: "with mcp.enabled, set exactly one of mcp.config_file and mcp.config_json",
      });
    }
    if (mcp.config_json !== undefined && !hasMcpServers(mcp.config_json)) {
      context.addIssue({
        code: "custom",
        path: ["mcp", "config_json"],
        message: 'must be JSON of the form {"mcpServers": {…}}',
      });
    }
    if (configuration.server.header_timeout_seconds > configuration.server.body_timeout_seconds) {
      context.addIssue({
        code: "custom",
        path: ["server", "header_timeout_seconds"],
        message: "must not exceed server.body_timeout_seconds (the headers are part of the request)",
      });
    }
    if (configuration.claude.pool_min_idle > configuration.claude.max_concurrent_sessions) {
      context.addIssue({
        code: "custom",
        path: ["claude", "pool_min_idle"],
        message: "must not exceed claude.max_concurrent_sessions",
      });
    }
    const { sessions, server } = configuration;
    if (server.max_body_mb_in_flight < server.body_limit_mb) {
      context.addIssue({
        code: "custom",
        path: ["server", "max_body_mb_in_flight"],
        message: "must be at least server.body_limit_mb (the largest body must fit)",
      });
    }
    // A late watcher is sent the history at once; past eight stream buffers it would be cut for it.
    if (sessions.enabled && sessions.max_history_kb > 8 * server.stream_buffer_kb) {
      context.addIssue({
        code: "custom",
        path: ["sessions", "max_history_kb"],
        message: "must not exceed 8 × server.stream_buffer_kb (a late watcher gets the history at once)",
      });
    }
  })
  .transform((configuration) => ({
    ...configuration,
    claude: {
      ...configuration.claude,
      workspace: configuration.claude.workspace ?? join(configuration.data_dir, "workspace"),
    },
    agent: {
      ...configuration.agent,
      rooms_dir: configuration.agent.rooms_dir ?? join(configuration.data_dir, "rooms"),
    },
    store: {
      ...configuration.store,
      url: configuration.store.url ?? `sqlite:${join(configuration.data_dir, "conversations.sqlite")}`,
    },
  }));

export type Configuration = z.output<typeof configurationSchema>;

function hasMcpServers(json: string): boolean {
  try {
    const parsed = JSON.parse(json) as { mcpServers?: unknown };
    return typeof parsed.mcpServers === "object" && parsed.mcpServers !== null;
  } catch {
    return false;
  }
}
export type ConfigurationInput = z.input<typeof configurationSchema>;
