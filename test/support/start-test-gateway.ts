/**
 * A gateway in this test process, serving the REAL claude binary against the mock Anthropic API,
 * plus an `openai` client pointed at it. `close()` ends the gateway (and with it every CLI process)
 * and removes the temp directories.
 */
import OpenAI from "openai";
import { afterEach } from "vitest";
import { type ConfigurationInput, configurationSchema } from "../../src/config/configuration-schema.js";
import { createLogger, type Logger, silentLogger } from "../../src/observability/logger.js";
import type { PoolSnapshot } from "../../src/pool/process-pool.js";
import { type Gateway, startGateway } from "../../src/start-gateway.js";
import { type ClaudeTestEnvironment, createClaudeTestEnvironment } from "./claude-test-environment.js";

export interface TestGateway {
  gateway: Gateway;
  environment: ClaudeTestEnvironment;
  client: OpenAI;
  url: string;
  pool(): PoolSnapshot;
  /** POSTs a raw chat completion body (for bytes, headers and malformed input). */
  post(body: unknown, init?: RequestInit): Promise<Response>;
  close(): Promise<void>;
}

export interface TestGatewayOptions {
  server?: ConfigurationInput["server"];
  claude?: ConfigurationInput["claude"];
  conversation?: ConfigurationInput["conversation"];
  tools?: ConfigurationInput["tools"];
  file_access?: ConfigurationInput["file_access"];
  mcp?: ConfigurationInput["mcp"];
  sessions?: ConfigurationInput["sessions"];
  auth?: ConfigurationInput["auth"];
  cache?: ConfigurationInput["cache"];
  images?: ConfigurationInput["images"];
  store?: ConfigurationInput["store"];
  apiKey?: string | null;
  /** Serve from this environment (its data and CLI config dirs) and leave it open on close. */
  environment?: ClaudeTestEnvironment;
  /** Replaces the real CLI (for the scripted fake). */
  command?: string;
  /** Added to the gateway's environment; the operator passes these on to the CLI (claude.env_passthrough). */
  extraEnvironment?: NodeJS.ProcessEnv;
  /** Added to the gateway's environment and NOT passed on: what the CLI must never see. */
  gatewayEnvironment?: NodeJS.ProcessEnv;
  agent?: ConfigurationInput["agent"];
  /** Where the gateway logs (default: nowhere, or stderr at TEST_LOG's level). */
  logger?: Logger;
}

export async function startTestGateway(options: TestGatewayOptions = {}): Promise<TestGateway> {
  const environment = options.environment ?? (await createClaudeTestEnvironment({ apiKey: options.apiKey }));
  const configuration = configurationSchema.parse({
    data_dir: environment.dataDirectory,
    server: { port: 0, ...options.server },
    claude: {
      command: options.command ?? environment.claudeCommand,
      pool_min_idle: 1,
      env_passthrough: Object.keys(options.extraEnvironment ?? {}),
      ...options.claude,
    },
    agent: options.agent,
    conversation: options.conversation,
    tools: options.tools,
    file_access: options.file_access,
    mcp: options.mcp,
    sessions: options.sessions,
    auth: options.auth,
    cache: options.cache,
    images: options.images,
    store: options.store,
  });
  const gateway = await startGateway({
    configuration,
    environment: { ...environment.environment, ...options.gatewayEnvironment, ...options.extraEnvironment },
    logger:
      options.logger ?? (process.env.TEST_LOG ? createLogger({ LOG_LEVEL: process.env.TEST_LOG }) : silentLogger()),
  });
  return {
    gateway,
    environment,
    url: gateway.url,
    client: new OpenAI({ baseURL: `${gateway.url}/v1`, apiKey: "unused", maxRetries: 0 }),
    pool: () => gateway.services.pool.snapshot(),
    post: (body, init) =>
      fetch(`${gateway.url}/v1/chat/completions`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: typeof body === "string" ? body : JSON.stringify(body),
        ...init,
      }),
    async close() {
      await gateway.close();
      if (!options.environment) await environment.close();
    },
  };
}

/** Reads an SSE body and returns its `data:` payloads (and comments, when asked). */
export async function readSse(response: Response, options: { comments?: boolean } = {}): Promise<string[]> {
  const text = await response.text();
  return text
    .split("\n\n")
    .filter((event) => event.length > 0)
    .filter((event) => options.comments || !event.startsWith(":"))
    .map((event) => (event.startsWith("data: ") ? event.slice(6) : event));
}

/** For test files that start a gateway per test: a starter, and every gateway closed after each test. */
export function gatewaysClosedAfterEachTest(): (options?: TestGatewayOptions) => Promise<TestGateway> {
  const opened: TestGateway[] = [];
  afterEach(async () => {
    // Newest first, one at a time: a later gateway may serve from an earlier one's environment,
    // which that one removes when it closes.
    for (const test of opened.splice(0).reverse()) await test.close();
  });
  return async (options) => {
    const test = await startTestGateway(options);
    opened.push(test);
    return test;
  };
}
