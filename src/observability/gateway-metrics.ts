/**
 * What the gateway counts, once, for both `/metrics` (Prometheus text, prom-client, its own
 * registry) and `/stats` (JSON for people). Labels are bounded: routes are route patterns, models
 * are reduced to their family, keys are never labels (per-key usage is in /stats only).
 */

import { Counter, Gauge, Histogram, Registry } from "prom-client";
import type { PoolSnapshot } from "../pool/process-pool.js";
import type { TokenUsage } from "../turns/token-usage.js";
import { RequestTimeline } from "./request-timeline.js";

/** opus, sonnet, haiku or other: a label with a handful of values whatever clients send. */
export function modelFamily(model: string): string {
  const match = /(opus|sonnet|haiku)/i.exec(model);
  return match?.[1]?.toLowerCase() ?? "other";
}

/** The routes whose requests run a turn of the model, one per API dialect. */
const turnRoutes = new Set(["/v1/chat/completions", "/v1/responses", "/v1/messages"]);

const latencyBuckets = [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300];

interface Usage {
  requests: number;
  promptTokens: number;
  completionTokens: number;
  costUsd: number;
}

/** Latencies of the last requests of one route, for percentiles in /stats. */
class Reservoir {
  private readonly values: number[] = [];
  constructor(private readonly size: number) {}
  add(value: number): void {
    this.values.push(value);
    if (this.values.length > this.size) this.values.shift();
  }
  percentiles(): { p50: number; p90: number; p99: number; n: number } {
    const sorted = [...this.values].sort((a, b) => a - b);
    const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? 0;
    return { p50: at(0.5), p90: at(0.9), p99: at(0.99), n: sorted.length };
  }
}

export interface GatewayMetricsSources {
  pool(): PoolSnapshot;
  liveSessions(): number;
  version: string;
  /**
   * This instance's id, on every series as `gateway_instance` (Prometheus's own `instance` label
   * names the scraped address, and would overwrite ours): several instances' series stay apart.
   */
  instance: string;
}

export class GatewayMetrics {
  readonly registry = new Registry();
  private readonly startedAt = Date.now();
  private readonly requests: Counter<"route" | "method" | "status">;
  private readonly duration: Histogram<"route" | "method">;
  private readonly firstToken: Histogram<"model">;
  private readonly tokens: Counter<"direction" | "model">;
  private readonly cost: Counter<"model">;
  private readonly cacheLookups: Counter<"outcome">;
  private readonly forwards: Counter<"what" | "outcome">;
  private readonly byRoute = new Map<string, { count: number; statuses: Record<string, number>; latency: Reservoir }>();
  private readonly byModel = new Map<string, Usage>();
  private readonly byKey = new Map<string, Usage>();
  private readonly cacheCounts = { hit: 0, miss: 0 };
  /**
   * The last hour of model requests (the routes that run a turn): a list or a health check takes
   * a millisecond, a turn seconds, and one mean of both would say nothing about either.
   */
  private readonly timeline = new RequestTimeline();

  constructor(private readonly sources: GatewayMetricsSources) {
    this.registry.setDefaultLabels({ gateway_instance: sources.instance });
    const registers = [this.registry];
    this.requests = new Counter({
      name: "ccapi_http_requests_total",
      help: "HTTP requests by route pattern, method and status",
      labelNames: ["route", "method", "status"],
      registers,
    });
    this.duration = new Histogram({
      name: "ccapi_http_request_duration_seconds",
      help: "HTTP request duration (to the end of the body, streams included)",
      labelNames: ["route", "method"],
      buckets: latencyBuckets,
      registers,
    });
    this.firstToken = new Histogram({
      name: "ccapi_chat_time_to_first_token_seconds",
      help: "From request to the first token (text, reasoning or tool call) of a chat completion",
      labelNames: ["model"],
      buckets: latencyBuckets,
      registers,
    });
    this.tokens = new Counter({
      name: "ccapi_chat_tokens_total",
      help: "Tokens of chat completions by direction (prompt, completion) and model family",
      labelNames: ["direction", "model"],
      registers,
    });
    this.cost = new Counter({
      name: "ccapi_chat_cost_usd_total",
      help: "Cost in USD of chat completions as the CLI reckons it, by model family",
      labelNames: ["model"],
      registers,
    });
    this.cacheLookups = new Counter({
      name: "ccapi_cache_lookups_total",
      help: "Response cache lookups by outcome (hit, miss)",
      labelNames: ["outcome"],
      registers,
    });
    this.forwards = new Counter({
      name: "ccapi_forwarded_total",
      help: "Requests (and WebSockets) for work another instance holds, sent there, by outcome (sent, gone, unreachable)",
      labelNames: ["what", "outcome"],
      registers,
    });
    const pool = () => sources.pool();
    new Gauge({
      name: "ccapi_pool_processes",
      help: "CLI processes by state",
      labelNames: ["state"],
      registers,
      collect() {
        for (const [state, count] of Object.entries(pool().states)) this.set({ state }, count);
      },
    });
    new Gauge({
      name: "ccapi_pool_queue_depth",
      help: "Requests waiting for a CLI process",
      registers,
      collect() {
        this.set(pool().queued);
      },
    });
    // Counters, so rate() and increase() work: the pool keeps running totals; each scrape adds
    // what grew since the last.
    const totalCounter = (name: string, help: string, total: () => number) => {
      let counted = 0;
      new Counter({
        name,
        help,
        registers,
        collect() {
          const now = total();
          if (now > counted) this.inc(now - counted);
          counted = Math.max(counted, now);
        },
      });
    };
    totalCounter("ccapi_cli_spawns_total", "CLI processes started", () => pool().spawned);
    totalCounter("ccapi_cli_crashes_total", "CLI processes that exited unexpectedly", () => pool().crashed);
    new Gauge({
      name: "ccapi_live_sessions",
      help: "Live sessions",
      registers,
      collect() {
        this.set(sources.liveSessions());
      },
    });
  }

  /** One HTTP request, finished (its body included). */
  request(route: string, method: string, status: number, seconds: number): void {
    this.requests.inc({ route, method, status: String(status) });
    this.duration.observe({ route, method }, seconds);
    const entry = this.byRoute.get(`${method} ${route}`) ?? { count: 0, statuses: {}, latency: new Reservoir(1000) };
    entry.count++;
    entry.statuses[status] = (entry.statuses[status] ?? 0) + 1;
    entry.latency.add(seconds * 1000);
    this.byRoute.set(`${method} ${route}`, entry);
    if (method === "POST" && turnRoutes.has(route)) this.timeline.record(status, seconds * 1000);
  }

  firstTokenAfter(model: string, seconds: number): void {
    this.firstToken.observe({ model: modelFamily(model) }, seconds);
  }

  /** A turn's usage and cost, for its model and the caller's key. */
  usage(owner: string, model: string, usage: TokenUsage, costUsd: number): void {
    const family = modelFamily(model);
    this.tokens.inc({ direction: "prompt", model: family }, usage.input);
    this.tokens.inc({ direction: "completion", model: family }, usage.output);
    this.cost.inc({ model: family }, costUsd);
    for (const [map, key] of [
      [this.byModel, model],
      [this.byKey, owner || "anonymous"],
    ] as const) {
      const entry = map.get(key) ?? { requests: 0, promptTokens: 0, completionTokens: 0, costUsd: 0 };
      entry.requests++;
      entry.promptTokens += usage.input;
      entry.completionTokens += usage.output;
      entry.costUsd += costUsd;
      map.set(key, entry);
    }
  }

  /** A request for another instance's work: sent on, or that instance gone or unreachable. */
  forwarded(what: "request" | "websocket", outcome: "sent" | "gone" | "unreachable"): void {
    this.forwards.inc({ what, outcome });
  }

  cache(outcome: "hit" | "miss"): void {
    this.cacheLookups.inc({ outcome });
    this.cacheCounts[outcome]++;
  }

  /** The /stats document. */
  stats() {
    const pool = this.sources.pool();
    const profiles: Record<string, Record<string, number>> = {};
    for (const member of pool.members) {
      const profile = member.profile ?? "spare";
      profiles[profile] ??= {};
      const counts = profiles[profile] as Record<string, number>;
      counts[member.state] = (counts[member.state] ?? 0) + 1;
    }
    return {
      version: this.sources.version,
      instance: this.sources.instance,
      uptime_seconds: Math.round((Date.now() - this.startedAt) / 1000),
      requests: Object.fromEntries(
        [...this.byRoute].map(([route, entry]) => [
          route,
          { count: entry.count, by_status: entry.statuses, latency_ms: entry.latency.percentiles() },
        ]),
      ),
      models: Object.fromEntries(this.byModel),
      keys: Object.fromEntries(this.byKey),
      timeline: this.timeline.toJSON(),
      cache: this.cacheCounts,
      pool: {
        processes: pool.processes,
        states: pool.states,
        queued: pool.queued,
        spawned: pool.spawned,
        crashed: pool.crashed,
        by_profile: profiles,
      },
      conversations_in_processes: pool.states.bound,
      live_sessions: this.sources.liveSessions(),
    };
  }
}
