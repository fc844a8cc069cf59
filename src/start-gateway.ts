/**
 * The composition root: configuration → CLI command, launch profiles, process pool, conversation
 * store, model catalog, HTTP app, listening server. Used by the bin and by integration tests.
 */
import { mkdirSync } from "node:fs";
import { createRequire } from "node:module";
import { checkExposure, loadApiKeys } from "./auth/api-keys.js";
import { KeyLimits } from "./auth/key-limits.js";
import { ResponseCache } from "./cache/response-cache.js";
import { checkClaudeArguments, claudeArguments } from "./claude/claude-arguments.js";
import { ClaudeProcess } from "./claude/claude-process.js";
import { ClientToolServer, clientServerName, offersClientTools } from "./claude/client-tool-server.js";
import { createLaunchProfile, initializeForSystemPrompt, type ProcessNeeds } from "./claude/launch-profile.js";
import { readClaudeVersion } from "./claude/read-claude-version.js";
import { resolveClaudeCommand } from "./claude/resolve-claude-command.js";
import { claudeConfigDirectory } from "./claude/session-transcript.js";
import type { Configuration } from "./config/configuration-schema.js";
import { ConversationDirectory } from "./conversations/conversation-directory.js";
import { ParkedTurns } from "./conversations/parked-turns.js";
import { TranscriptSync } from "./conversations/transcript-sync.js";
import { createApp } from "./http/app.js";
import type { GatewayServices } from "./http/gateway-services.js";
import { InFlight } from "./http/in-flight.js";
import type { ChatParkedTurn } from "./http/respond-with-turn.js";
import { listen } from "./http/server.js";
import { createWebSocketBridge } from "./http/websocket-bridge.js";
import { GatewayMetrics } from "./observability/gateway-metrics.js";
import { createLogger, type Logger } from "./observability/logger.js";
import { ModelCatalog } from "./openai/model-catalog.js";
import { cleanModelName } from "./openai/read-assistant-output.js";
import { ProcessPool } from "./pool/process-pool.js";
import { LiveSessions } from "./sessions/live-sessions.js";
import { openConversationStore } from "./store/open-conversation-store.js";

export interface StartGatewayOptions {
  configuration: Configuration;
  /** The CLI processes inherit this environment (ANTHROPIC_*, CLAUDE_CONFIG_DIR, …). */
  environment?: NodeJS.ProcessEnv;
  logger?: Logger;
}

export interface Gateway {
  url: string;
  port: number;
  services: GatewayServices;
  close(): Promise<void>;
}

export async function startGateway(options: StartGatewayOptions): Promise<Gateway> {
  const { configuration } = options;
  const { claude, conversation } = configuration;
  const environment = options.environment ?? process.env;
  const logger = options.logger ?? createLogger(environment);
  const command = resolveClaudeCommand(claude.command, environment);
  mkdirSync(claude.workspace, { recursive: true });

  // Refusals first: nothing is started for a configuration that must not run.
  const apiKeys = loadApiKeys(configuration.auth);
  checkExposure(configuration, apiKeys);
  checkClaudeArguments(configuration, environment);
  const launchProfile = (systemPrompt: string | undefined, needs: ProcessNeeds = {}, cwd?: string) => {
    const initialize = initializeForSystemPrompt(systemPrompt, claude.system_prompt_mode);
    const args = claudeArguments(configuration, needs);
    if (!needs.clientTools) return createLaunchProfile(args, initialize, cwd);
    return createLaunchProfile(args, { ...initialize, sdkMcpServers: [clientServerName] }, cwd);
  };
  const models = new ModelCatalog(claude.default_model);
  const pool = new ProcessPool({
    spawnProcess: (profile, extraArgs) => {
      const process = new ClaudeProcess({
        command,
        args: [...profile.args, ...extraArgs],
        cwd: profile.cwd ?? claude.workspace,
        env: environment,
        logger,
      });
      // It asks for its client tools as soon as it boots.
      if (offersClientTools(profile.args)) new ClientToolServer(process);
      return process;
    },
    spareProfile: launchProfile(undefined),
    maxProcesses: claude.max_concurrent_sessions,
    maxQueued: claude.max_queued_requests,
    minSpares: claude.use_interactive_sessions ? claude.pool_min_idle : 0,
    idleTimeoutMs: claude.idle_timeout_seconds * 1000,
    sessionTimeoutMs: conversation.session_timeout_minutes * 60_000,
    reuse: claude.use_interactive_sessions,
    logger,
    onBoot: (settings) => {
      const model = (settings as { applied?: { model?: unknown } } | undefined)?.applied?.model;
      if (typeof model === "string") models.observe(cleanModelName(model));
    },
  });
  const store = openConversationStore(configuration.store.url, configuration.store.redis_key_prefix, {
    maxItems: conversation.max_history_messages,
  });
  const busyWaitMs = conversation.busy_wait_seconds * 1000;
  // A turn ends within the request timeout (plus a wait for tool results); the lock of a crashed
  // instance lapses a minute later.
  const pendingTimeoutMs = configuration.tools.pending_timeout_seconds * 1000;
  const lockTtlMs = claude.timeout_seconds * 1000 + pendingTimeoutMs + 60_000;
  const parkedTurns = new ParkedTurns<ChatParkedTurn>(pendingTimeoutMs);
  const transcripts = { configDirectory: claudeConfigDirectory(environment), cwd: claude.workspace };
  const transcriptSync = new TranscriptSync(store, transcripts, logger);
  const { requests_per_minute: perMinute, max_concurrent_requests: concurrent } = configuration.auth;
  const services: GatewayServices = {
    configuration,
    apiKeys,
    keyLimits: perMinute || concurrent ? new KeyLimits(perMinute, concurrent) : undefined,
    pool,
    models,
    launchProfile,
    claude: { command, version: readClaudeVersion(command, environment) },
    conversationTurns: {
      store,
      pool,
      launchProfile,
      transcripts,
      transcriptSync,
      busyWaitMs,
      lockTtlMs,
      transcriptWaitMs: 3_000,
      logger,
    },
    conversations: new ConversationDirectory(store, pool, { busyWaitMs, lockTtlMs }),
    parkedTurns,
    sessions: new LiveSessions(pool, configuration, launchProfile),
    inFlight: new InFlight(),
    cache: configuration.cache.enabled
      ? new ResponseCache(configuration.cache.max_entries, configuration.cache.ttl_seconds * 1000)
      : undefined,
    metrics: new GatewayMetrics({
      pool: () => pool.snapshot(),
      liveSessions: () => services.sessions.count,
      version: gatewayVersion(),
    }),
    logger,
  };
  const bridge = createWebSocketBridge(services.sessions, apiKeys, logger);
  const { host, port } = configuration.server;
  const server = await listen(createApp(services), host, port, bridge.upgrade).catch(async (error: unknown) => {
    services.sessions.close();
    bridge.close();
    await pool.close();
    await store.close();
    throw error;
  });
  pool.start();
  let closing: Promise<void> | undefined;
  logger.info({ url: server.url, command, workspace: claude.workspace }, "gateway started");
  return {
    url: server.url,
    port: server.port,
    services,
    /**
     * Graceful: new requests get 503, answers in flight may finish within
     * server.shutdown_grace_seconds, then what is left is cut (its turns interrupted) and every
     * CLI process ends.
     */
    close: () => {
      closing ??= shutDown();
      return closing;
    },
  };

  async function shutDown(): Promise<void> {
    bridge.close();
    await server.close(() => services.inFlight.drain(configuration.server.shutdown_grace_seconds * 1000));
    parkedTurns.abandonAll("The gateway is shutting down.");
    services.sessions.close();
    // Ending the CLI processes makes them flush their transcripts; then save those.
    await pool.close();
    await transcriptSync.drain();
    await store.close();
  }
}

/** This package's version (package.json sits one level above both src/ and dist/). */
function gatewayVersion(): string {
  try {
    return (createRequire(import.meta.url)("../package.json") as { version: string }).version;
  } catch {
    return "unknown";
  }
}
