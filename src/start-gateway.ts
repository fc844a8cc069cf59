/**
 * The composition root: configuration → CLI command, launch profiles, process pool, model catalog,
 * HTTP app, listening server. Used by the bin and by integration tests.
 */
import { mkdirSync } from "node:fs";
import { ClaudeProcess } from "./claude/claude-process.js";
import { baseClaudeArguments, createLaunchProfile, initializeForSystemPrompt } from "./claude/launch-profile.js";
import { readClaudeVersion } from "./claude/read-claude-version.js";
import { resolveClaudeCommand } from "./claude/resolve-claude-command.js";
import type { Configuration } from "./config/configuration-schema.js";
import { createApp } from "./http/app.js";
import type { GatewayServices } from "./http/gateway-services.js";
import { listen } from "./http/server.js";
import { createLogger, type Logger } from "./observability/logger.js";
import { ModelCatalog } from "./openai/model-catalog.js";
import { cleanModelName } from "./openai/read-assistant-output.js";
import { ProcessPool } from "./pool/process-pool.js";

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
  const { claude } = configuration;
  const environment = options.environment ?? process.env;
  const logger = options.logger ?? createLogger(environment);
  const command = resolveClaudeCommand(claude.command, environment);
  mkdirSync(claude.workspace, { recursive: true });

  const baseArgs = baseClaudeArguments(claude);
  const launchProfile = (systemPrompt: string | undefined) =>
    createLaunchProfile(baseArgs, initializeForSystemPrompt(systemPrompt, claude.system_prompt_mode));
  const models = new ModelCatalog(claude.default_model);
  const pool = new ProcessPool({
    spawnProcess: (profile) =>
      new ClaudeProcess({ command, args: profile.args, cwd: claude.workspace, env: environment, logger }),
    spareProfile: launchProfile(undefined),
    maxProcesses: claude.max_concurrent_sessions,
    maxQueued: claude.max_queued_requests,
    minSpares: claude.use_interactive_sessions ? claude.pool_min_idle : 0,
    idleTimeoutMs: claude.idle_timeout_seconds * 1000,
    reuse: claude.use_interactive_sessions,
    logger,
    onBoot: (settings) => {
      const model = (settings as { applied?: { model?: unknown } } | undefined)?.applied?.model;
      if (typeof model === "string") models.observe(cleanModelName(model));
    },
  });
  const services: GatewayServices = {
    configuration,
    pool,
    models,
    launchProfile,
    claude: { command, version: readClaudeVersion(command, environment) },
    logger,
  };
  const server = await listen(createApp(services), configuration.server.host, configuration.server.port);
  pool.start();
  logger.info({ url: server.url, command, workspace: claude.workspace }, "gateway started");
  return {
    url: server.url,
    port: server.port,
    services,
    close: async () => {
      await server.close();
      await pool.close();
    },
  };
}
