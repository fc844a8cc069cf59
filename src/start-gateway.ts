/**
 * The composition root: configuration → CLI command, launch profiles, process pool, conversation
 * store, model catalog, HTTP app, listening server. Used by the bin and by integration tests.
 */
import { mkdirSync } from "node:fs";
import { loadApiKeys } from "./auth/api-keys.js";
import { checkExposure, servesLoopbackOnly } from "./auth/check-exposure.js";
import { checkClaudeArguments } from "./claude/claude-arguments.js";
import { ClaudeProcess } from "./claude/claude-process.js";
import { ClientToolServer, offersClientTools } from "./claude/client-tool-server.js";
import { readClaudeVersion } from "./claude/read-claude-version.js";
import { resolveClaudeCommand } from "./claude/resolve-claude-command.js";
import { advertisedUrl, checkAdvertising } from "./cluster/advertised-url.js";
import { openCluster } from "./cluster/open-cluster.js";
import type { Configuration } from "./config/configuration-schema.js";
import { ConversationDirectory } from "./conversations/conversation-directory.js";
import { RetentionSweeper, retentionPolicy } from "./conversations/retention-sweeper.js";
import { StorageQuota } from "./conversations/storage-quota.js";
import { TranscriptSync } from "./conversations/transcript-sync.js";
import { createApp } from "./http/app.js";
import { createBrowserGuard } from "./http/browser-guard.js";
import type { GatewayServices } from "./http/gateway-services.js";
import { InFlight } from "./http/in-flight.js";
import { createPublicOriginOf } from "./http/public-origin.js";
import { listen } from "./http/server.js";
import { createWebSocketBridge } from "./http/websocket/websocket-bridge.js";
import { GatewayMetrics } from "./observability/gateway-metrics.js";
import { createLogger, type Logger } from "./observability/logger.js";
import { ModelCatalog } from "./openai/model-catalog.js";
import { packageVersion } from "./package-version.js";
import { ProcessPool } from "./pool/process-pool.js";
import { ResponseDirectory } from "./responses/response-directory.js";
import { prepareRooms } from "./rooms/prepare-rooms.js";
import { SessionFiles } from "./rooms/session-files.js";
import { UpstreamProxy } from "./rooms/upstream-proxy.js";
import { LiveSessions } from "./sessions/live-sessions.js";
import { openConversationStore } from "./store/open-conversation-store.js";
import type { KeptAnswer } from "./turns/answer-so-far.js";
import type { EngineTurn } from "./turns/engine-turn.js";
import { ParkedTurns } from "./turns/parked-turns.js";
import { TurnEngine } from "./turns/turn-engine.js";
import { UsageWindows } from "./usage/usage-windows.js";

export interface StartGatewayOptions {
  configuration: Configuration;
  /** The CLI processes get the allow-listed part of this environment (ANTHROPIC_*, CLAUDE_CONFIG_DIR, …). */
  environment?: NodeJS.ProcessEnv;
  logger?: Logger;
  /** Files no agent may read besides the defaults: the --config file the configuration came from. */
  protectedPaths?: string[];
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

  // Refusals first: nothing is started for a configuration that must not run.
  const loopbackOnly = await servesLoopbackOnly(configuration.server);
  const apiKeys = loadApiKeys(configuration, loopbackOnly);
  await checkExposure(configuration, apiKeys, loopbackOnly);
  checkClaudeArguments(configuration, environment);
  checkAdvertising(configuration);
  mkdirSync(claude.workspace, { recursive: true });
  const roomed = apiKeys.callers().filter((caller) => caller.grants.has("agent") || caller.grants.has("sessions"));
  const proxy = roomed.length > 0 ? UpstreamProxy.for(environment) : undefined;
  const profiles = prepareRooms(configuration, roomed, environment, command, options.protectedPaths ?? [], proxy);
  await proxy?.start();
  const launchProfile = profiles.forRequest.bind(profiles);
  const models = new ModelCatalog(claude.default_model);
  // Several instances, one service: with a Redis store, instances register there, send each other
  // the work they hold, and count per-key limits, the cache and processes held together.
  const shared = openCluster<KeptAnswer>(configuration, logger);
  const { cluster } = shared;
  const usageWindows = new UsageWindows();
  const pool = new ProcessPool({
    spawnProcess: (profile, extraArgs) => {
      const process = new ClaudeProcess({
        command,
        args: [...profile.args, ...extraArgs],
        cwd: profiles.roomOf(profile).cwd,
        env: profiles.environmentFor(profile),
        user: profiles.userOf(profile),
        logger,
        onRateLimit: (report) => usageWindows.record(report),
      });
      // It asks for its client tools as soon as it boots.
      if (offersClientTools(profile.args)) new ClientToolServer(process);
      return process;
    },
    spareProfile: profiles.spare(),
    maxProcesses: claude.max_concurrent_sessions,
    maxQueued: claude.max_queued_requests,
    minSpares: claude.use_interactive_sessions ? claude.pool_min_idle : 0,
    idleTimeoutMs: claude.idle_timeout_seconds * 1000,
    sessionTimeoutMs: conversation.session_timeout_minutes * 60_000,
    reuse: claude.use_interactive_sessions,
    logger,
    onStarved: (): boolean => engine.releaseWaiting(),
    onBoot: (settings) => models.learnFromSettings(settings),
    onInitialize: (answer) => models.learnFromInitialize(answer),
    holdings: shared.holdings,
  });
  const store = openConversationStore(configuration.store.url, configuration.store.redis_key_prefix, {
    maxItems: conversation.max_history_messages,
  });
  const busyWaitMs = conversation.busy_wait_seconds * 1000;
  // A turn ends within the request timeout (plus a wait for tool results); the lock of a crashed
  // instance lapses a minute later.
  const pendingTimeoutMs = configuration.tools.pending_timeout_seconds * 1000;
  const lockTtlMs = claude.timeout_seconds * 1000 + pendingTimeoutMs + 60_000;
  const waitingTurns = new ParkedTurns<EngineTurn>(pendingTimeoutMs, {
    // Other instances send this one the results of its waiting turns.
    parked: (turn, remainingMs) => cluster.turnWaiting(turn.owner, turn.toolCallIds, turn.conversationId, remainingMs),
    removed: (turn) => cluster.turnEnded(turn.owner, turn.toolCallIds, turn.conversationId),
  });
  const transcriptSync = new TranscriptSync(store, logger);
  const roomOf = profiles.roomOf.bind(profiles);
  const quota = new StorageQuota(store);
  const sessionFiles = new SessionFiles(profiles.sessionFilePlaces(), logger);
  const retention = new RetentionSweeper(
    store,
    sessionFiles,
    retentionPolicy(apiKeys.callers(), conversation.retention_days, () => profiles.sessionFilePlaces().rooms()),
    (id) => pool.forget(id),
    logger,
  );
  const conversationTurns = {
    store,
    pool,
    launchProfile,
    roomOf,
    transcriptSync,
    busyWaitMs,
    lockTtlMs,
    instanceId: cluster.instanceId,
    transcriptWaitMs: 3_000,
    quota,
    sessionFiles,
    logger,
  };
  const { cache } = shared;
  const metrics = new GatewayMetrics({
    pool: () => pool.snapshot(),
    liveSessions: () => services.sessions.count,
    version: packageVersion(),
    instance: cluster.instanceId,
  });
  const engine: TurnEngine = new TurnEngine({
    pool,
    conversationTurns,
    waiting: waitingTurns,
    elsewhere: cluster,
    cache,
    metrics,
    models,
    settings: {
      defaultModel: claude.default_model,
      effort: claude.effort,
      maxHistoryMessages: conversation.max_history_messages,
      images: {
        maxBytes: configuration.images.max_bytes,
        maxPerRequest: configuration.images.max_per_request,
        allowedDirectories: configuration.file_access.additional_dirs,
      },
    },
  });
  const services: GatewayServices = {
    configuration,
    apiKeys,
    browserGuard: createBrowserGuard(configuration.server),
    publicOriginOf: createPublicOriginOf(configuration.server.trusted_proxies),
    keyLimits: shared.keyLimits,
    pool,
    models,
    claude: { command, version: readClaudeVersion(command, environment) },
    engine,
    conversationTurns,
    responses: new ResponseDirectory(store, quota),
    conversations: new ConversationDirectory(
      store,
      pool,
      { busyWaitMs, lockTtlMs, instanceId: cluster.instanceId },
      sessionFiles,
      conversation.max_history_messages,
      quota,
    ),
    retention,
    sessions: new LiveSessions(pool, configuration, profiles, cluster),
    usageWindows,
    cluster,
    inFlight: new InFlight(),
    cache,
    metrics,
    logger,
  };
  const bridge = createWebSocketBridge(services, logger);
  const listening = listen(createApp(services), configuration.server, { onUpgrade: bridge.upgrade, logger });
  const server = await listening.catch(async (error: unknown) => {
    services.sessions.close();
    bridge.close();
    await pool.close();
    await sessionFiles.close();
    await proxy?.close();
    await store.close();
    await shared.close();
    throw error;
  });
  // Reachable now: other instances may send this one its work.
  await cluster.register(advertisedUrl(configuration.server, server.url));
  pool.start();
  retention.start();
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
    // Other instances stop sending work here; turns waiting for tool results could never get them
    // (new requests are refused from now on), so they end now and their processes with them.
    await cluster.drain();
    engine.abandonWaiting("The gateway is shutting down.");
    bridge.close();
    // A sweep under way ends at its next conversation; new requests get 503 meanwhile.
    const sweepEnded = retention.stop();
    await server.close(async () => {
      await services.inFlight.drain(configuration.server.shutdown_grace_seconds * 1000);
      // An upgraded socket is not the HTTP server's to cut, and would hold its close for as long as
      // the client stays: the sessions end (telling their clients), then the bridge cuts the rest.
      services.sessions.close();
      bridge.cutClients();
    });
    // Ending the CLI processes makes them flush their transcripts; then save those.
    await pool.close();
    await sweepEnded;
    await sessionFiles.close();
    await proxy?.close();
    await transcriptSync.drain();
    // Everything it held is in the store: gone from the registry, its conversations are anyone's.
    await shared.close();
    await store.close();
  }
}
