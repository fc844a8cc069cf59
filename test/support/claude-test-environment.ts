/**
 * What an integration test needs to run the REAL `claude` binary offline: the project's mock
 * Anthropic API, a private CLI config dir (sessions, transcripts) and a data dir, and the
 * environment the CLI processes get. `close()` removes it all.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { findBundledClaude } from "../../src/claude/resolve-claude-command.js";
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
  return {
    mock,
    claudeCommand: claudeBinary(),
    directory,
    configDirectory,
    dataDirectory,
    workspace: join(dataDirectory, "workspace"),
    environment,
    async close() {
      await mock.close();
      rmSync(directory, { recursive: true, force: true });
    },
  };
}
