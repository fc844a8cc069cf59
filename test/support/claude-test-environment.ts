/**
 * What an integration test needs to run the REAL `claude` binary offline: the project's mock
 * Anthropic API, a private CLI config dir (sessions, transcripts) and a data dir, and the
 * environment the CLI processes get. `close()` removes it all.
 */
import { chmodSync, mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ClaudeProcess } from "../../src/claude/claude-process.js";
import { baseClaudeArguments } from "../../src/claude/launch-profile.js";
import { findBundledClaude } from "../../src/claude/resolve-claude-command.js";
import { configurationSchema } from "../../src/config/configuration-schema.js";
import { silentLogger } from "../../src/observability/logger.js";
import { type MockAnthropic, startMockAnthropic } from "../fixtures/mock-anthropic/mock-anthropic.js";

export interface ClaudeTestEnvironment {
  mock: MockAnthropic;
  /** The real CLI binary from the npm dependency. */
  claudeCommand: string;
  directory: string;
  configDirectory: string;
  dataDirectory: string;
  workspace: string;
  environment: NodeJS.ProcessEnv;
  /** A real CLI process with the gateway's command line (plus `extraArgs`), not yet initialized. */
  startProcess(extraArgs?: string[]): ClaudeProcess;
  close(): Promise<void>;
}

export function claudeBinary(): string {
  const binary = findBundledClaude();
  if (!binary) throw new Error("@anthropic-ai/claude-code is not installed: run npm ci");
  return binary;
}

export async function createClaudeTestEnvironment(
  options: { apiKey?: string | null } = {},
): Promise<ClaudeTestEnvironment> {
  const mock = await startMockAnthropic();
  const directory = mkdtempSync(join(tmpdir(), "ccapi-test-"));
  // Searchable by others: under root, each room's CLI runs as a user of its own and must reach it.
  chmodSync(directory, 0o711);
  const configDirectory = join(directory, "claude-config");
  const dataDirectory = join(directory, "data");
  const environment: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    HOME: directory,
    ANTHROPIC_BASE_URL: mock.url,
    CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC: "1",
    CLAUDE_CONFIG_DIR: configDirectory,
    // The default of 10 retries makes a mock 500 take minutes to fail.
    CLAUDE_CODE_MAX_RETRIES: "0",
  };
  if (options.apiKey !== null) environment.ANTHROPIC_API_KEY = options.apiKey ?? "test-key";
  const workspace = join(dataDirectory, "workspace");
  const claudeCommand = claudeBinary();
  return {
    mock,
    claudeCommand,
    directory,
    configDirectory,
    dataDirectory,
    workspace,
    environment,
    startProcess(extraArgs = []) {
      mkdirSync(workspace, { recursive: true });
      const claude = configurationSchema.parse({ data_dir: dataDirectory }).claude;
      return new ClaudeProcess({
        command: claudeCommand,
        args: [...baseClaudeArguments(claude), ...extraArgs],
        cwd: workspace,
        env: environment,
        logger: silentLogger(),
      });
    },
    async close() {
      await mock.close();
      // CLI processes of a killed gateway may still be finishing their files: retry briefly.
      rmSync(directory, { recursive: true, force: true, maxRetries: 10, retryDelay: 100 });
    },
  };
}
