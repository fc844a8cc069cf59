/**
 * `npm run bench`: the gateway against the physical limit, measured in one run, offline.
 *
 * Everything talks to the project's mock Anthropic API (answers in ~1 ms), so the figures are the
 * gateway's and the CLI's own overhead. The physical limit is a warm CLI process driven directly
 * over stdio; spawn-per-request is the gateway with claude.use_interactive_sessions = false (what
 * existing gateways do); the gateway is the real bin in its own process, warm pool on.
 */
import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { findBundledClaude } from "../src/claude/resolve-claude-command.js";
import { configurationSchema } from "../src/config/configuration-schema.js";
import { startMockAnthropic } from "../test/fixtures/mock-anthropic/mock-anthropic.js";
import { DirectProcesses } from "./direct-turns.js";
import { startGatewayProcess } from "./gateway-process.js";
import { completion, concurrent, timeToFirstToken } from "./http-load.js";
import { formatMs, type Summary, summarize } from "./statistics.js";

const sequentialCount = Number(process.env.BENCH_SEQUENTIAL ?? 60);
const spawnCount = Number(process.env.BENCH_SPAWN ?? 10);
const concurrentTotal = Number(process.env.BENCH_CONCURRENT_TOTAL ?? 80);
const model = "sonnet";
const prompt = "hello benchmark";

const command = findBundledClaude();
if (!command) throw new Error("@anthropic-ai/claude-code is not installed: run npm ci");
const mock = await startMockAnthropic();
const directory = mkdtempSync(join(tmpdir(), "ccapi-bench-"));
const environment: NodeJS.ProcessEnv = {
  PATH: process.env.PATH,
  HOME: directory,
  ANTHROPIC_BASE_URL: mock.url,
  ANTHROPIC_API_KEY: "bench",
  CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC: "1",
  CLAUDE_CONFIG_DIR: join(directory, "claude-config"),
  CLAUDE_CODE_MAX_RETRIES: "0",
};
const claude = configurationSchema.parse({ data_dir: join(directory, "data") }).claude;
const gatewayEnvironment = (overrides: Record<string, string>) => ({
  ...environment,
  CLAUDE_CODE__DATA_DIR: join(directory, "data"),
  CLAUDE_CODE__CLAUDE__COMMAND: command,
  ...overrides,
});

const log = (text: string) => process.stderr.write(`${text}\n`);
const sequential = async (count: number, run: (index: number) => Promise<number>) => {
  const samples: number[] = [];
  for (let index = 0; index < count; index++) samples.push(await run(index));
  return samples;
};

const results: Record<string, Summary & { throughput?: number }> = {};

try {
  // ── physical limit: warm processes driven directly ───────────────────────────────────────────
  log("direct: 1 warm process");
  mkdirSync(claude.workspace, { recursive: true });
  const single = await DirectProcesses.start(1, { command, claude, environment, model });
  await sequential(5, () => single.turn(0, prompt));
  results.directTurn = summarize(await sequential(sequentialCount, () => single.turn(0, prompt)));
  results.directFirstToken = summarize(await sequential(sequentialCount, () => single.timeToFirstToken(0, prompt)));
  await single.close();

  for (const clients of [4, 8]) {
    log(`direct: ${clients} warm processes at once`);
    const many = await DirectProcesses.start(clients, { command, claude, environment, model });
    await Promise.all(Array.from({ length: clients }, (_, index) => many.turn(index, prompt)));
    const perProcess = Array.from({ length: clients }, () => 0);
    let next = 0;
    const latencies: number[] = [];
    const started = performance.now();
    await Promise.all(
      perProcess.map(async (_, index) => {
        while (next < concurrentTotal) {
          next++;
          latencies.push(await many.turn(index, prompt));
        }
      }),
    );
    // /clear is untimed per turn but takes wall time; throughput counts it, as the gateway's does.
    results[`direct${clients}`] = {
      ...summarize(latencies),
      throughput: concurrentTotal / ((performance.now() - started) / 1000),
    };
    await many.close();
  }

  // ── spawn per request ────────────────────────────────────────────────────────────────────────
  log("gateway, one process per request");
  const simple = await startGatewayProcess(
    gatewayEnvironment({
      CLAUDE_CODE__CLAUDE__USE_INTERACTIVE_SESSIONS: "false",
      CLAUDE_CODE__CLAUDE__POOL_MIN_IDLE: "0",
    }),
    directory,
  );
  await completion(simple.url, model, prompt);
  results.spawnPerRequest = summarize(await sequential(spawnCount, () => completion(simple.url, model, prompt)));
  await simple.close();

  // ── the gateway, warm pool ───────────────────────────────────────────────────────────────────
  log("gateway, warm pool");
  const gateway = await startGatewayProcess(
    gatewayEnvironment({ CLAUDE_CODE__CLAUDE__MAX_CONCURRENT_SESSIONS: "10", CLAUDE_CODE__CLAUDE__POOL_MIN_IDLE: "2" }),
    directory,
  );
  // Warm-up: boot as many processes as the widest test uses, and run their slow first turns.
  for (let round = 0; round < 3; round++) {
    await Promise.all(Array.from({ length: 8 }, () => completion(gateway.url, model, prompt)));
  }
  await sequential(5, () => completion(gateway.url, model, prompt));
  results.gatewayTurn = summarize(await sequential(sequentialCount, () => completion(gateway.url, model, prompt)));
  results.gatewayFirstToken = summarize(
    await sequential(sequentialCount, () => timeToFirstToken(gateway.url, model, prompt)),
  );
  for (const clients of [4, 8]) {
    log(`gateway: ${clients} concurrent clients`);
    const load = await concurrent(clients, concurrentTotal, () => completion(gateway.url, model, prompt));
    results[`gateway${clients}`] = { ...summarize(load.latencies), throughput: concurrentTotal / (load.wallMs / 1000) };
  }
  await gateway.close();
} finally {
  await mock.close();
  rmSync(directory, { recursive: true, force: true });
}

// ── report ─────────────────────────────────────────────────────────────────────────────────────
const row = (name: string, summary: (Summary & { throughput?: number }) | undefined) =>
  summary
    ? `| ${name} | ${summary.count} | ${formatMs(summary.p50)} | ${formatMs(summary.p95)} | ${summary.throughput ? `${summary.throughput.toFixed(1)} req/s` : ""} |`
    : `| ${name} | – | – | – | |`;
const ratio = (numerator: number | undefined, denominator: number | undefined) =>
  numerator && denominator ? (numerator / denominator).toFixed(2) : "n/a";

const { directTurn, directFirstToken, spawnPerRequest, gatewayTurn, gatewayFirstToken } = results;
const lines = [
  `claude-code-api benchmark — CLI ${command.includes("claude-code") ? "from @anthropic-ai/claude-code" : command}, mock API, ${new Date().toISOString()}`,
  "",
  "| measurement | n | p50 | p95 | throughput |",
  "|---|---|---|---|---|",
  row("physical limit: warm CLI turn, driven directly", directTurn),
  row("physical limit: warm CLI, first token", directFirstToken),
  row("spawn per request (use_interactive_sessions=false)", spawnPerRequest),
  row("gateway: new conversation, JSON", gatewayTurn),
  row("gateway: new conversation, SSE first token", gatewayFirstToken),
  row("physical limit: 4 warm processes at once", results.direct4),
  row("gateway: 4 concurrent clients", results.gateway4),
  row("physical limit: 8 warm processes at once", results.direct8),
  row("gateway: 8 concurrent clients", results.gateway8),
  "",
  "| ratio | value | goal |",
  "|---|---|---|",
  `| gateway p50 / direct warm turn p50 | ${ratio(gatewayTurn?.p50, directTurn?.p50)} | ≤ 1.5 |`,
  `| spawn-per-request p50 / gateway p50 | ${ratio(spawnPerRequest?.p50, gatewayTurn?.p50)} | ≥ 10 |`,
  `| gateway first token p50 / direct first token p50 | ${ratio(gatewayFirstToken?.p50, directFirstToken?.p50)} | |`,
  `| gateway p50 / direct p50, 4 at once | ${ratio(results.gateway4?.p50, results.direct4?.p50)} | |`,
  `| gateway p50 / direct p50, 8 at once | ${ratio(results.gateway8?.p50, results.direct8?.p50)} | |`,
  `| gateway throughput / direct throughput, 8 at once | ${ratio(results.gateway8?.throughput, results.direct8?.throughput)} | |`,
];
process.stdout.write(`${lines.join("\n")}\n`);
