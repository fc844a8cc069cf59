/**
 * `npm run bench`: the gateway against the physical limit, measured in one run, offline.
 *
 * Everything talks to the project's mock Anthropic API (answers in ~1 ms), so the figures are the
 * gateway's and the CLI's own overhead — a worst case: with a real API a turn waits seconds on the
 * network and the CLI's CPU work hardly matters.
 *   - physical limit: a warm CLI process driven directly over stdio. "turn" is write → result;
 *     "cycle" adds the /clear that readies the process for the next conversation.
 *   - spawn per request: the gateway with claude.use_interactive_sessions = false (what existing
 *     gateways do).
 *   - gateway: the real bin in its own process, warm pool on.
 *   - through nginx: deploy/nginx.conf in a real nginx in front of 1 and 3 gateways sharing a real
 *     redis-server, at the concurrency of the direct processes it is compared with.
 * Sequential measurements alternate direct and gateway blocks, so both see the same conditions.
 */
import { chmodSync, mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { findBundledClaude } from "../src/claude/resolve-claude-command.js";
import { configurationSchema } from "../src/config/configuration-schema.js";
import { startMockAnthropic } from "../test/fixtures/mock-anthropic/mock-anthropic.js";
import { DirectProcesses } from "./direct-turns.js";
import { startGatewayProcess } from "./gateway-process.js";
import { completion, concurrent, converse, messagesTurn, responseTurn, timeToFirstToken } from "./http-load.js";
import { formatMs, type Summary, summarize } from "./statistics.js";
import { requireNginxAndRedis, throughNginx } from "./through-nginx.js";

const rounds = Number(process.env.BENCH_ROUNDS ?? 5);
const blockSize = Number(process.env.BENCH_BLOCK ?? 20);
const spawnCount = Number(process.env.BENCH_SPAWN ?? 10);
const concurrentTotal = Number(process.env.BENCH_CONCURRENT_TOTAL ?? 80);
const model = "sonnet";
const prompt = "hello benchmark";

// One of the direct concurrencies measured below: their throughput is the limit these compare with.
const nginxClients = 8;
const nginxInstances = [1, 3];
const instancesName = (count: number) => `${count} instance${count === 1 ? "" : "s"}`;

const command = findBundledClaude();
if (!command) throw new Error("@anthropic-ai/claude-code is not installed: run npm ci");
requireNginxAndRedis();
const mock = await startMockAnthropic();
const directory = mkdtempSync(join(tmpdir(), "ccapi-bench-"));
// Searchable by others: under root, agent rooms' CLIs run as users of their own.
chmodSync(directory, 0o711);
const environment: NodeJS.ProcessEnv = {
  PATH: process.env.PATH,
  HOME: directory,
  ANTHROPIC_BASE_URL: mock.url,
  ANTHROPIC_API_KEY: "bench",
  CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC: "1",
  CLAUDE_CONFIG_DIR: join(directory, "claude-config"),
  CLAUDE_CODE_MAX_RETRIES: "0",
};
const configuration = configurationSchema.parse({ data_dir: join(directory, "data") });
mkdirSync(configuration.claude.workspace, { recursive: true });
const gatewayEnvironment = (overrides: Record<string, string>) => ({
  ...environment,
  CLAUDE_CODE__DATA_DIR: join(directory, "data"),
  CLAUDE_CODE__CLAUDE__COMMAND: command,
  ...overrides,
});

const log = (text: string) => process.stderr.write(`${text}\n`);
async function repeat<T>(count: number, run: () => Promise<T>): Promise<T[]> {
  const samples: T[] = [];
  for (let index = 0; index < count; index++) samples.push(await run());
  return samples;
}

type Row = Summary & { throughput?: number };
const results: Record<string, Row> = {};
let keyedSpawns = 0;
const nginxSpawns: string[] = [];

try {
  // ── sequential new conversations: direct and gateway, alternating blocks ────────────────────
  log("starting a direct warm process and the gateway (warm pool)");
  const direct = await DirectProcesses.start(1, { command, configuration, environment, model });
  const gateway = await startGatewayProcess(
    gatewayEnvironment({ CLAUDE_CODE__CLAUDE__MAX_CONCURRENT_SESSIONS: "10", CLAUDE_CODE__CLAUDE__POOL_MIN_IDLE: "2" }),
    directory,
  );
  // Warm-up: boot as many gateway processes as the widest test uses and run their slow first turns.
  for (let round = 0; round < 3; round++) {
    await Promise.all(Array.from({ length: 8 }, () => completion(gateway.url, model, prompt)));
  }
  await repeat(5, () => direct.turn(0, prompt));
  await repeat(5, () => completion(gateway.url, model, prompt));

  const samples = {
    turn: [] as number[],
    cycle: [] as number[],
    gateway: [] as number[],
    gatewayNext: [] as number[],
    gatewayResponses: [] as number[],
    gatewayMessages: [] as number[],
    gatewayOneOff: [] as number[],
    directFirst: [] as number[],
    gatewayFirst: [] as number[],
    rotatingFirst: [] as number[],
  };
  const rotating = await DirectProcesses.start(3, { command, configuration, environment, model });
  let rotation = 0;
  for (let round = 0; round < 30; round++) await rotating.rotatingFirstToken(rotation++, prompt);
  for (let round = 0; round < rounds; round++) {
    log(`sequential round ${round + 1}/${rounds}`);
    for (const { turn, cycle } of await repeat(blockSize, () => direct.turn(0, prompt))) {
      samples.turn.push(turn);
      samples.cycle.push(cycle);
    }
    samples.gateway.push(...(await repeat(blockSize, () => completion(gateway.url, model, prompt))));
    samples.gatewayResponses.push(...(await repeat(blockSize, () => responseTurn(gateway.url, model, prompt))));
    samples.gatewayMessages.push(...(await repeat(blockSize, () => messagesTurn(gateway.url, model, prompt))));
    // One conversation continued by id: its process kept the session, only the new message is sent.
    const { conversationId } = await converse(gateway.url, model, prompt);
    samples.gatewayNext.push(
      ...(await repeat(blockSize, () => completion(gateway.url, model, prompt, { conversationId }))),
    );
    samples.gatewayOneOff.push(
      ...(await repeat(blockSize, () => completion(gateway.url, model, prompt, { store: false }))),
    );
    samples.directFirst.push(...(await repeat(blockSize, () => direct.timeToFirstToken(0, prompt))));
    samples.gatewayFirst.push(...(await repeat(blockSize, () => timeToFirstToken(gateway.url, model, prompt))));
    samples.rotatingFirst.push(...(await repeat(blockSize, () => rotating.rotatingFirstToken(rotation++, prompt))));
  }
  await rotating.close();
  results.directTurn = summarize(samples.turn);
  results.directCycle = summarize(samples.cycle);
  results.gatewayTurn = summarize(samples.gateway);
  results.gatewayNext = summarize(samples.gatewayNext);
  results.gatewayResponses = summarize(samples.gatewayResponses);
  results.gatewayMessages = summarize(samples.gatewayMessages);
  results.gatewayOneOff = summarize(samples.gatewayOneOff);
  results.directFirstToken = summarize(samples.directFirst);
  results.gatewayFirstToken = summarize(samples.gatewayFirst);
  results.rotatingFirstToken = summarize(samples.rotatingFirst);
  await direct.close();

  // ── concurrent clients ───────────────────────────────────────────────────────────────────────
  for (const clients of [4, 8]) {
    log(`direct: ${clients} warm processes at once`);
    const many = await DirectProcesses.start(clients, { command, configuration, environment, model });
    await Promise.all(Array.from({ length: clients }, (_, index) => many.turn(index, prompt)));
    const cycles: number[] = [];
    const turns: number[] = [];
    let next = 0;
    const started = performance.now();
    await Promise.all(
      Array.from({ length: clients }, async (_, index) => {
        while (next < concurrentTotal) {
          next++;
          const { turn, cycle } = await many.turn(index, prompt);
          turns.push(turn);
          cycles.push(cycle);
        }
      }),
    );
    const throughput = concurrentTotal / ((performance.now() - started) / 1000);
    results[`direct${clients}Turn`] = summarize(turns);
    results[`direct${clients}`] = { ...summarize(cycles), throughput };
    await many.close();

    log(`gateway: ${clients} concurrent clients`);
    const load = await concurrent(clients, concurrentTotal, () => completion(gateway.url, model, prompt));
    results[`gateway${clients}`] = { ...summarize(load.latencies), throughput: concurrentTotal / (load.wallMs / 1000) };
  }
  await gateway.close();

  // ── through nginx: the deployed proxy config in front of 1 and 3 instances sharing Redis ───
  for (const instances of nginxInstances) {
    log(`through nginx: ${instancesName(instances)}, ${nginxClients} concurrent clients`);
    const load = await throughNginx({
      instances,
      clients: nginxClients,
      total: concurrentTotal,
      model,
      prompt,
      directory,
      gatewayEnvironment,
    });
    results[`nginx${instances}`] = { ...summarize(load.latencies), throughput: concurrentTotal / (load.wallMs / 1000) };
    nginxSpawns.push(`${instancesName(instances)}: ${load.spawned}`);
  }

  // ── rooms: several keys (a process serves one owner), agent keys (a room each) ───────────────
  log("gateway: 4 keys in turn, and 4 agent keys' first and later requests");
  const keys = Array.from({ length: 4 }, (_, index) => `bench-key-${index}-0123456789`);
  const agentKeys = Array.from({ length: 4 }, (_, index) => `bench-agent-${index}-0123456789`);
  const entries = [
    ...keys.map((key, index) => ({ name: `plain${index}`, key })),
    ...agentKeys.map((key, index) => ({ name: `agent${index}`, key, grants: ["agent"] })),
  ];
  const keyed = await startGatewayProcess(
    gatewayEnvironment({
      CLAUDE_CODE__CLAUDE__MAX_CONCURRENT_SESSIONS: "10",
      CLAUDE_CODE__CLAUDE__POOL_MIN_IDLE: "2",
      CLAUDE_CODE__AGENT__ENABLED: "true",
      CLAUDE_CODE__AUTH__KEYS: JSON.stringify(entries),
    }),
    directory,
  );
  const spawnedSoFar = async () =>
    (
      (await (await fetch(`${keyed.url}/stats`, { headers: { authorization: `Bearer ${keys[0]}` } })).json()) as {
        pool: { spawned: number };
      }
    ).pool.spawned;
  for (let round = 0; round < 3; round++) {
    for (const apiKey of keys) await completion(keyed.url, model, prompt, { apiKey });
  }
  const spawnedBefore = await spawnedSoFar();
  const keyedSamples: number[] = [];
  for (let index = 0; index < rounds * blockSize; index++) {
    keyedSamples.push(await completion(keyed.url, model, prompt, { apiKey: keys[index % keys.length] }));
  }
  results.gatewayKeys = summarize(keyedSamples);
  keyedSpawns = (await spawnedSoFar()) - spawnedBefore;
  const agentFirst: number[] = [];
  const agentLater: number[] = [];
  for (const apiKey of agentKeys) {
    agentFirst.push(await completion(keyed.url, model, prompt, { apiKey }));
    agentLater.push(...(await repeat(5, () => completion(keyed.url, model, prompt, { apiKey }))));
  }
  results.agentFirst = summarize(agentFirst);
  results.agentLater = summarize(agentLater);
  await keyed.close();

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
  results.spawnPerRequest = summarize(await repeat(spawnCount, () => completion(simple.url, model, prompt)));
  await simple.close();
} finally {
  await mock.close();
  rmSync(directory, { recursive: true, force: true });
}

// ── report ─────────────────────────────────────────────────────────────────────────────────────
const row = (name: string, summary: Row | undefined) =>
  summary
    ? `| ${name} | ${summary.count} | ${formatMs(summary.p50)} | ${formatMs(summary.p95)} | ${summary.throughput ? `${summary.throughput.toFixed(1)} req/s` : ""} |`
    : `| ${name} | – | – | – | |`;
const ratio = (numerator: number | undefined, denominator: number | undefined) =>
  numerator && denominator ? (numerator / denominator).toFixed(2) : "n/a";
const r = results;

const lines = [
  `claude-code-api benchmark: CLI ${command}, mock Anthropic API, ${new Date().toISOString()}`,
  "",
  "| measurement | n | p50 | p95 | throughput |",
  "|---|---|---|---|---|",
  row("direct warm process: turn (physical limit)", r.directTurn),
  row("direct warm process: turn + /clear", r.directCycle),
  row("gateway: new conversation, JSON", r.gatewayTurn),
  row("gateway: new conversation, Responses API, JSON", r.gatewayResponses),
  row("gateway: new conversation, Messages API, JSON", r.gatewayMessages),
  row("gateway: next message of a conversation, JSON", r.gatewayNext),
  row("gateway: one-off completion (store: false), JSON", r.gatewayOneOff),
  row("direct warm process: first token", r.directFirstToken),
  row("direct, 3 processes in turn, a /clear alongside: first token", r.rotatingFirstToken),
  row("gateway: new conversation, SSE first token", r.gatewayFirstToken),
  row("spawn per request (use_interactive_sessions=false)", r.spawnPerRequest),
  row("direct, 4 processes at once: turn", r.direct4Turn),
  row("direct, 4 processes at once: turn + /clear", r.direct4),
  row("gateway, 4 concurrent clients", r.gateway4),
  row("direct, 8 processes at once: turn", r.direct8Turn),
  row("direct, 8 processes at once: turn + /clear", r.direct8),
  row("gateway, 8 concurrent clients", r.gateway8),
  ...nginxInstances.map((instances) =>
    row(
      `through nginx (TLS), ${instancesName(instances)} sharing Redis, ${nginxClients} concurrent clients`,
      r[`nginx${instances}`],
    ),
  ),
  row("gateway: new conversations, 4 keys in turn", r.gatewayKeys),
  row("gateway: an agent key's first request (its room's spawn)", r.agentFirst),
  row("gateway: an agent key's later requests", r.agentLater),
  "",
  "| ratio | value | goal |",
  "|---|---|---|",
  `| gateway (new conversation) p50 / direct turn p50 | ${ratio(r.gatewayTurn?.p50, r.directTurn?.p50)} | ≤ 1.5 |`,
  `| Responses API p50 / chat completions p50 (new conversation) | ${ratio(r.gatewayResponses?.p50, r.gatewayTurn?.p50)} | ≤ 1.05 |`,
  `| Messages API p50 / chat completions p50 (new conversation) | ${ratio(r.gatewayMessages?.p50, r.gatewayTurn?.p50)} | ≤ 1.05 |`,
  `| spawn-per-request p50 / gateway p50 | ${ratio(r.spawnPerRequest?.p50, r.gatewayTurn?.p50)} | ≥ 10 |`,
  `| gateway p50 / direct turn + /clear p50 | ${ratio(r.gatewayTurn?.p50, r.directCycle?.p50)} | |`,
  `| gateway next message p50 / direct turn p50 | ${ratio(r.gatewayNext?.p50, r.directTurn?.p50)} | |`,
  `| gateway one-off p50 / direct turn p50 | ${ratio(r.gatewayOneOff?.p50, r.directTurn?.p50)} | |`,
  `| gateway first token p50 / direct first token p50 | ${ratio(r.gatewayFirstToken?.p50, r.directFirstToken?.p50)} | ≤ 1.3 |`,
  `| gateway first token p50 / direct in turn with a /clear alongside p50 | ${ratio(r.gatewayFirstToken?.p50, r.rotatingFirstToken?.p50)} | |`,
  `| 4 at once: gateway p50 / direct turn + /clear p50 | ${ratio(r.gateway4?.p50, r.direct4?.p50)} | |`,
  `| 4 at once: gateway / direct throughput | ${ratio(r.gateway4?.throughput, r.direct4?.throughput)} | |`,
  `| 8 at once: gateway p50 / direct turn + /clear p50 | ${ratio(r.gateway8?.p50, r.direct8?.p50)} | |`,
  `| 8 at once: gateway / direct throughput | ${ratio(r.gateway8?.throughput, r.direct8?.throughput)} | |`,
  ...nginxInstances.map(
    (instances) =>
      `| ${nginxClients} at once: through nginx, ${instancesName(instances)} / direct throughput | ${ratio(r[`nginx${instances}`]?.throughput, r[`direct${nginxClients}`]?.throughput)} | |`,
  ),
  `| ${nginxClients} at once: through nginx, 3 instances / 1 instance throughput | ${ratio(r.nginx3?.throughput, r.nginx1?.throughput)} | |`,
  `| 4 keys in turn p50 / direct turn p50 | ${ratio(r.gatewayKeys?.p50, r.directTurn?.p50)} | |`,
  "",
  `CLI processes spawned while 4 keys took turns (${r.gatewayKeys?.count ?? 0} requests): ${keyedSpawns}`,
  `CLI processes spawned during the measurements through nginx, after warm-up: ${nginxSpawns.join(", ")}`,
];
process.stdout.write(`${lines.join("\n")}\n`);
