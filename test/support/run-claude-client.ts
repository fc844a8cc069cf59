/**
 * Runs the real `claude` (the npm dependency's binary) as a CLIENT of the gateway: `claude -p
 * <prompt>` with ANTHROPIC_BASE_URL at the gateway and ANTHROPIC_API_KEY as the gateway key, fully
 * offline, no stdin, as root in CI. Each run gets a fresh directory, removed afterwards, for HOME,
 * CLAUDE_CONFIG_DIR (its own sessions and settings, nothing of the user's) and the working
 * directory its tools run in.
 *
 * CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC=1 stops every connection but the base URL's (measured
 * with the mock: `HEAD /`, then `POST /v1/messages?beta=true`); CLAUDE_CODE_MAX_RETRIES=0 shows a
 * failure at once instead of after ten retries.
 */
import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { claudeBinary } from "./claude-test-environment.js";
import { type ExitedRun, runToExit } from "./run-to-exit.js";

export type ClaudeClientRun = ExitedRun;

export interface RunClaudeClientOptions {
  /** The gateway's URL (no /v1: the client adds it). */
  baseUrl: string;
  apiKey: string;
  prompt: string;
  /** More flags, before the prompt (e.g. --allowedTools). */
  extraArgs?: string[];
  /** Default 60 s. */
  timeoutMs?: number;
  /** Run in this directory (kept) instead of a fresh one: two runs are then one user's two sessions. */
  directory?: string;
}

export async function runClaudeClient(options: RunClaudeClientOptions): Promise<ClaudeClientRun> {
  const directory = options.directory ?? mkdtempSync(join(tmpdir(), "ccapi-claude-client-"));
  const workdir = join(directory, "work");
  mkdirSync(workdir, { recursive: true });
  try {
    return await runToExit(claudeBinary(), ["-p", ...(options.extraArgs ?? []), "--", options.prompt], {
      cwd: workdir,
      env: {
        PATH: process.env.PATH,
        HOME: directory,
        CLAUDE_CONFIG_DIR: join(directory, "config"),
        ANTHROPIC_BASE_URL: options.baseUrl,
        ANTHROPIC_API_KEY: options.apiKey,
        CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC: "1",
        CLAUDE_CODE_MAX_RETRIES: "0",
      },
      timeoutMs: options.timeoutMs ?? 60_000,
    });
  } finally {
    if (!options.directory) rmSync(directory, { recursive: true, force: true });
  }
}
