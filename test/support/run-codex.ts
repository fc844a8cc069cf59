/**
 * Runs the real Codex CLI (`@openai/codex`, a dev dependency) as `codex exec`: one non-interactive
 * turn against an OpenAI Responses API at `baseUrl` (the gateway's `/v1`), fully offline, no stdin,
 * as root in CI. Each run gets a fresh directory, removed afterwards, holding:
 *
 * - `codex-home/config.toml` (CODEX_HOME), the only config Codex reads, so nothing from the user's
 *   `~/.codex` applies:
 *     model = <model>; model_provider = "gateway"
 *     [model_providers.gateway] base_url = <baseUrl>, wire_api = "responses" (the only wire API Codex
 *       0.169 has), env_key = "CODEX_GATEWAY_API_KEY": Codex sends `Authorization: Bearer <that
 *       variable>` and needs no `codex login`. request_max_retries = 0 and stream_max_retries = 0
 *       unless `retries` says otherwise: by default a 5xx is retried 4 times and a stream that ends
 *       before `response.completed` 5 times (30 requests, 25 s for a 500); with 0 a test sees the
 *       one failure at once.
 *     [analytics] enabled = false: otherwise Codex posts events to ab.chatgpt.com.
 *     [features] plugins = false: otherwise it syncs its curated plugins from github.com,
 *       api.github.com and chatgpt.com at startup. (Neither changes the request it sends.)
 *   Codex makes no update check in `exec`, and its OpenTelemetry export is off by default.
 * - `home` (HOME): the sandboxed shell is a login shell (`bash -lc`), so the user's profile would
 *   run in it (and print its complaints into the tool output).
 * - `tmp` (TMPDIR): Codex refuses to put its helper aliases (the `codex-linux-sandbox` that bwrap
 *   execs) under the temp dir, and CODEX_HOME is under os.tmpdir(); with TMPDIR beside it every
 *   sandboxed command would fail "bwrap: execvp codex-linux-sandbox: No such file or directory".
 *
 * Flags: `exec --ephemeral` (no session files), `--skip-git-repo-check` (the workdir need not be a
 * git repository), `--strict-config` (a key this Codex does not know fails the run instead of being
 * ignored), `-s read-only` by default (bwrap + seccomp: works here as root; `danger-full-access`
 * runs commands unsandboxed), `-C <workdir>`, `--color never`, `-o <file>` (the last agent message,
 * returned as `lastMessage`), then `--` and the prompt. stdin is /dev/null: Codex still prints
 * "Reading additional input from stdin..." and reads nothing.
 *
 * The process started is the native binary of the platform package (`@openai/codex-linux-x64` …),
 * not `bin/codex.js`: on Node 20 (no `process.execve`) that wrapper spawns the binary as a child, so
 * its pid is not Codex's. On timeout this pid alone gets SIGTERM, then SIGKILL.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { runToExit } from "./run-to-exit.js";

const require = createRequire(import.meta.url);

const targets: Record<string, { packageName: string; triple: string }> = {
  "linux-x64": { packageName: "@openai/codex-linux-x64", triple: "x86_64-unknown-linux-musl" },
  "linux-arm64": { packageName: "@openai/codex-linux-arm64", triple: "aarch64-unknown-linux-musl" },
  "darwin-x64": { packageName: "@openai/codex-darwin-x64", triple: "x86_64-apple-darwin" },
  "darwin-arm64": { packageName: "@openai/codex-darwin-arm64", triple: "aarch64-apple-darwin" },
};

/** The native `codex` binary that `npm ci` put in the platform's optional dependency. */
export function codexBinary(): string {
  const target = targets[`${process.platform}-${process.arch}`];
  if (!target) throw new Error(`no Codex binary for ${process.platform}-${process.arch}`);
  let packageJson: string;
  try {
    packageJson = require.resolve(`${target.packageName}/package.json`);
  } catch {
    throw new Error(`${target.packageName} is not installed (an optional dependency of @openai/codex): run npm ci`);
  }
  return join(dirname(packageJson), "vendor", target.triple, "bin", "codex");
}

export interface RunCodexOptions {
  /** The Responses API base, ending in `/v1`; Codex posts to `${baseUrl}/responses`. */
  baseUrl: string;
  apiKey: string;
  model: string;
  prompt: string;
  /** The agent's working root (`-C`); must exist. */
  workdir: string;
  /** Default 60 s. */
  timeoutMs?: number;
  /** Default "read-only". */
  sandbox?: "read-only" | "workspace-write" | "danger-full-access";
  /** request_max_retries and stream_max_retries; default 0. */
  retries?: number;
  /** More `codex exec` flags, before the prompt. */
  extraArgs?: string[];
  /** More environment (e.g. RUST_LOG=debug for Codex's own log on stderr). */
  env?: NodeJS.ProcessEnv;
}

export interface CodexRun {
  exitCode: number | null;
  signal: NodeJS.Signals | null;
  timedOut: boolean;
  stdout: string;
  stderr: string;
  /** What `-o` wrote: the final agent message; "" if the turn ended without one (error, SIGTERM). */
  lastMessage: string | null;
}

const keyVariable = "CODEX_GATEWAY_API_KEY";

export function codexConfig(options: Pick<RunCodexOptions, "baseUrl" | "model" | "retries">): string {
  const retries = options.retries ?? 0;
  return [
    `model = ${JSON.stringify(options.model)}`,
    `model_provider = "gateway"`,
    "",
    "[model_providers.gateway]",
    `name = "claude-code-api"`,
    `base_url = ${JSON.stringify(options.baseUrl)}`,
    `env_key = "${keyVariable}"`,
    `wire_api = "responses"`,
    `request_max_retries = ${retries}`,
    `stream_max_retries = ${retries}`,
    "",
    "[analytics]",
    "enabled = false",
    "",
    "[features]",
    "plugins = false",
    "",
  ].join("\n");
}

export async function runCodex(options: RunCodexOptions): Promise<CodexRun> {
  const directory = mkdtempSync(join(tmpdir(), "ccapi-codex-"));
  const codexHome = join(directory, "codex-home");
  const home = join(directory, "home");
  const temporary = join(directory, "tmp");
  for (const path of [codexHome, home, temporary]) mkdirSync(path);
  writeFileSync(join(codexHome, "config.toml"), codexConfig(options));
  const lastMessageFile = join(directory, "last-message.txt");
  const args = [
    "exec",
    "--ephemeral",
    "--skip-git-repo-check",
    "--strict-config",
    "--sandbox",
    options.sandbox ?? "read-only",
    "--cd",
    options.workdir,
    "--color",
    "never",
    "--output-last-message",
    lastMessageFile,
    ...(options.extraArgs ?? []),
    "--",
    options.prompt,
  ];
  try {
    const run = await runToExit(codexBinary(), args, {
      cwd: options.workdir,
      // Not the test process's environment: no OPENAI_API_KEY, proxy or RUST_LOG of the caller's.
      env: {
        PATH: process.env.PATH,
        LANG: "C.UTF-8",
        HOME: home,
        CODEX_HOME: codexHome,
        TMPDIR: temporary,
        NO_COLOR: "1",
        [keyVariable]: options.apiKey,
        ...options.env,
      },
      timeoutMs: options.timeoutMs ?? 60_000,
    });
    let lastMessage: string | null = null;
    try {
      lastMessage = readFileSync(lastMessageFile, "utf8");
    } catch {}
    return { ...run, lastMessage };
  } finally {
    rmSync(directory, { recursive: true, force: true });
  }
}
