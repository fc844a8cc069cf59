/**
 * Throughput through nginx, as deployed: deploy/nginx.conf itself (TLS, round robin, keep-alive
 * to the gateways) in a real nginx, in front of N gateway processes sharing a real redis-server
 * (store.url), each with its own data dir and CLI config dir as on separate machines. Clients send
 * non-streamed new conversations over TLS, trusting the test certificate, each on a kept-alive
 * connection. The gateways are anonymous on loopback like the bench's other gateway rows (the
 * deployment's trusted_proxies and keys change only ws_url and who may call), so the rows compare.
 * Everything started is ended by its own pid, also when a measurement throws.
 */
import { execFileSync } from "node:child_process";
import { mkdirSync } from "node:fs";
import { Agent, request } from "node:https";
import { join } from "node:path";
import { nginxSite } from "../test/support/nginx-site.js";
import { freePort, prepareNginx, type RunningNginx, requireNginx, startNginx } from "../test/support/start-nginx.js";
import { type RedisServer, startRedisServer } from "../test/support/start-redis-server.js";
import { type GatewayProcess, startGatewayProcess } from "./gateway-process.js";
import { concurrent, type LoadResult } from "./http-load.js";

export interface ThroughNginxOptions {
  instances: number;
  clients: number;
  total: number;
  model: string;
  prompt: string;
  /** The bench's temp dir: each instance gets a directory of its own under it. */
  directory: string;
  /** The bench's gateway environment (the CLI, the mock API) with these overrides. */
  gatewayEnvironment: (overrides: Record<string, string>) => NodeJS.ProcessEnv;
}

/** Fails before the bench's first measurement, not after minutes of them, naming the packages. */
export function requireNginxAndRedis(): void {
  requireNginx();
  try {
    execFileSync("redis-server", ["--version"], { stdio: "ignore" });
  } catch {
    throw new Error(
      "redis-server is not installed: the bench runs instances sharing one (apt-get install redis-server)",
    );
  }
}

export interface ThroughNginxResult extends LoadResult {
  /** CLI processes the instances started during the measurement, after the warm-up: 0 is warm. */
  spawned: number;
}

/** CLI processes the instances have started so far, asked of each directly. */
async function spawnedSoFar(instances: readonly GatewayProcess[]): Promise<number> {
  const counts = await Promise.all(
    instances.map(async (instance) => {
      const stats = (await (await fetch(`${instance.url}/stats`)).json()) as { pool: { spawned: number } };
      return stats.pool.spawned;
    }),
  );
  return counts.reduce((sum, count) => sum + count, 0);
}

/** One non-streamed new conversation through nginx: its round-trip milliseconds. */
function completionOverTls(agent: Agent, origin: string, model: string, content: string): Promise<number> {
  const started = performance.now();
  const payload = JSON.stringify({ model, messages: [{ role: "user", content }] });
  return new Promise((resolve, reject) => {
    const outgoing = request(
      `${origin}/v1/chat/completions`,
      {
        method: "POST",
        agent,
        headers: { "content-type": "application/json", "content-length": Buffer.byteLength(payload) },
      },
      (response) => {
        let text = "";
        response.setEncoding("utf8");
        response.on("data", (piece: string) => {
          text += piece;
        });
        response.on("end", () => {
          let content: unknown;
          try {
            content = (JSON.parse(text) as { choices?: Array<{ message: { content: string } }> }).choices?.[0]?.message
              .content;
          } catch {}
          if (response.statusCode === 200 && content) resolve(performance.now() - started);
          else reject(new Error(`unexpected answer through nginx ${response.statusCode}: ${text.slice(0, 200)}`));
        });
        response.on("error", reject);
      },
    );
    outgoing.on("error", reject);
    outgoing.end(payload);
  });
}

async function startInstances(options: ThroughNginxOptions, redis: RedisServer): Promise<GatewayProcess[]> {
  const started = await Promise.allSettled(
    Array.from({ length: options.instances }, (_, index) => {
      const own = join(options.directory, `nginx-${options.instances}`, `instance-${index}`);
      mkdirSync(own, { recursive: true });
      return startGatewayProcess(
        options.gatewayEnvironment({
          CLAUDE_CONFIG_DIR: join(own, "claude-config"),
          CLAUDE_CODE__DATA_DIR: join(own, "data"),
          CLAUDE_CODE__STORE__URL: redis.url,
          CLAUDE_CODE__CLAUDE__MAX_CONCURRENT_SESSIONS: "10",
          CLAUDE_CODE__CLAUDE__POOL_MIN_IDLE: "2",
        }),
        own,
      );
    }),
  );
  const running = started.flatMap((result) => (result.status === "fulfilled" ? [result.value] : []));
  const failed = started.find((result) => result.status === "rejected");
  if (failed) {
    await Promise.all(running.map((instance) => instance.close()));
    throw failed.reason;
  }
  return running;
}

/** `total` requests from `clients` concurrent clients through nginx in front of `instances` gateways. */
export async function throughNginx(options: ThroughNginxOptions): Promise<ThroughNginxResult> {
  let redis: RedisServer | undefined;
  let instances: GatewayProcess[] = [];
  let nginx: RunningNginx | undefined;
  let agent: Agent | undefined;
  try {
    redis = await startRedisServer();
    instances = await startInstances(options, redis);
    const prepared = prepareNginx();
    const [tlsPort, httpPort] = [await freePort(), await freePort()];
    const gatewayPorts = instances.map((instance) => Number(new URL(instance.url).port));
    nginx = await startNginx(
      prepared,
      nginxSite({ gatewayPorts, tlsPort, httpPort, certificate: prepared.certificate }),
    );
    const tlsAgent = new Agent({ keepAlive: true, maxSockets: options.clients, ca: prepared.certificate.pem });
    agent = tlsAgent;
    const origin = `https://127.0.0.1:${tlsPort}`;
    const send = () => completionOverTls(tlsAgent, origin, options.model, options.prompt);
    // Warm-up, as for the bench's own gateway: every instance boots the processes this load needs.
    for (let round = 0; round < 3 * options.instances; round++) {
      await Promise.all(Array.from({ length: options.clients }, send));
    }
    const spawnedBefore = await spawnedSoFar(instances);
    const load = await concurrent(options.clients, options.total, send);
    return { ...load, spawned: (await spawnedSoFar(instances)) - spawnedBefore };
  } finally {
    agent?.destroy();
    await nginx?.close();
    await Promise.all(instances.map((instance) => instance.close()));
    await redis?.close();
  }
}
