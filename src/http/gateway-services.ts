/** What the HTTP app is built from; start-gateway.ts assembles it, tests may assemble their own. */
import type { ApiKeys } from "../auth/api-keys.js";
import type { KeyLimits } from "../auth/key-limits.js";
import type { ResponseCache } from "../cache/response-cache.js";
import type { Cluster } from "../cluster/cluster.js";
import type { Configuration } from "../config/configuration-schema.js";
import type { ConversationDirectory } from "../conversations/conversation-directory.js";
import type { ConversationTurnDependencies } from "../conversations/conversation-turn-request.js";
import type { RetentionSweeper } from "../conversations/retention-sweeper.js";
import type { GatewayMetrics } from "../observability/gateway-metrics.js";
import type { Logger } from "../observability/logger.js";
import type { ModelCatalog } from "../openai/model-catalog.js";
import type { ProcessPool } from "../pool/process-pool.js";
import type { ResponseDirectory } from "../responses/response-directory.js";
import type { LiveSessions } from "../sessions/live-sessions.js";
import type { KeptAnswer } from "../turns/answer-so-far.js";
import type { TurnEngine } from "../turns/turn-engine.js";
import type { UsageWindows } from "../usage/usage-windows.js";
import type { BrowserGuard } from "./browser-guard.js";
import type { InFlight } from "./in-flight.js";
import type { PublicOriginOf } from "./public-origin.js";

export interface GatewayServices {
  configuration: Configuration;
  apiKeys: ApiKeys;
  /** Host and Origin checks: no web page drives the gateway. */
  browserGuard: BrowserGuard;
  /** The client's scheme and host, believing X-Forwarded-* from server.trusted_proxies only. */
  publicOriginOf: PublicOriginOf;
  /** Per-key limits (each key's own, else the auth.* defaults). */
  keyLimits: KeyLimits;
  pool: ProcessPool;
  models: ModelCatalog;
  claude: { command: string; version: Promise<string | undefined> };
  /** The Responses API's stored responses. */
  responses: ResponseDirectory;
  /** Runs every dialect's turns. */
  engine: TurnEngine;
  /** What a turn needs to find and record its conversation (the store, among others). */
  conversationTurns: ConversationTurnDependencies;
  conversations: ConversationDirectory;
  /** Deletes what outlived its retention; tests run `sweep(now)` with their own clock. */
  retention: RetentionSweeper;
  metrics: GatewayMetrics;
  /** Kept answers, when cache.enabled. */
  cache: ResponseCache<KeptAnswer> | undefined;
  /** Requests being answered (graceful shutdown). */
  inFlight: InFlight;
  /** This instance among the others sharing its Redis (alone with SQLite). */
  cluster: Cluster;
  /** Live sessions driven over the WebSocket bridge. */
  sessions: LiveSessions;
  /** The subscription's usage windows, as this instance's CLI processes last reported them. */
  usageWindows: UsageWindows;
  logger: Logger;
}
