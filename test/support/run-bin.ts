/**
 * The `claude-code-api` bin as a user runs it (src/cli.ts through tsx), in the test environment's
 * directory so no project config/ leaks in; `spawnBin` runs any other build of it (an installed
 * package's). `stopBins()` SIGKILLs whatever a test left running.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { mkdirSync } from "node:fs";
import { createRequire } from "node:module";
import { join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import type { ClaudeTestEnvironment } from "./claude-test-environment.js";

const cliPath = fileURLToPath(new URL("../../src/cli.ts", import.meta.url));
// By absolute URL: the bin runs in a temp directory.
const tsxLoader = pathToFileURL(createRequire(import.meta.url).resolve("tsx")).href;

const children: ChildProcess[] = [];

export interface RunningBin {
  child: ChildProcess;
  /** The URL from the "listening on" line; rejects if the bin exits first. */
  listening: Promise<string>;
  output(): { stdout: string; stderr: string };
}

export function runBin(
  environment: ClaudeTestEnvironment,
  args: string[],
  extraEnvironment: NodeJS.ProcessEnv = {},
): RunningBin {
  return spawnBin(process.execPath, ["--import", tsxLoader, cliPath, ...args], {
    cwd: environment.directory,
    env: {
      ...environment.environment,
      CLAUDE_CODE__DATA_DIR: environment.dataDirectory,
      CLAUDE_CODE__CLAUDE__COMMAND: environment.claudeCommand,
      CLAUDE_CODE__CLAUDE__POOL_MIN_IDLE: "1",
      LOG_LEVEL: "warn",
      ...extraEnvironment,
    },
  });
}

/**
 * One of several instances sharing a Redis store: its own data dir and CLI config dir (under the
 * environment's directory, named `name`), on a free port.
 */
export function runInstance(
  environment: ClaudeTestEnvironment,
  name: string,
  redisUrl: string,
  extraEnvironment: NodeJS.ProcessEnv = {},
): RunningBin {
  const directory = join(environment.directory, name);
  mkdirSync(directory, { recursive: true });
  return runBin(environment, ["--port", "0"], {
    CLAUDE_CONFIG_DIR: join(directory, "claude-config"),
    CLAUDE_CODE__DATA_DIR: join(directory, "data"),
    CLAUDE_CODE__STORE__URL: redisUrl,
    ...extraEnvironment,
  });
}

export function spawnBin(
  command: string,
  args: string[],
  options: { cwd: string; env: NodeJS.ProcessEnv },
): RunningBin {
  const child = spawn(command, args, { ...options, stdio: ["ignore", "pipe", "pipe"] });
  children.push(child);
  let stdout = "";
  let stderr = "";
  child.stdout?.on("data", (chunk) => {
    stdout += chunk;
  });
  child.stderr?.on("data", (chunk) => {
    stderr += chunk;
  });
  const listening = new Promise<string>((resolve, reject) => {
    child.stdout?.on("data", () => {
      const match = /listening on (http:\/\/\S+)/.exec(stdout);
      if (match?.[1]) resolve(match[1]);
    });
    child.once("exit", (code) => reject(new Error(`exited with ${code}: ${stderr}`)));
  });
  listening.catch(() => {});
  return { child, listening, output: () => ({ stdout, stderr }) };
}

export function stopBins(): void {
  for (const child of children.splice(0)) if (child.exitCode === null) child.kill("SIGKILL");
}
