/**
 * The parts of the page drawn from one /stats document: who is asking, version and uptime, the
 * pool, tokens and cost, the cache. What an admin sees beyond a key's own (the pool by launch
 * profile, usage per key) is shown only when /stats carries it — the gateway decides, not the page.
 */

import { element, fillFigures, fillTable, formatCount, formatDuration, formatFraction, formatUsd } from "./dom.js";
import { drawTimelineChart } from "./draw-timeline-chart.js";

const byId = (id) => document.getElementById(id);

let lastTimeline;
// The chart is drawn to its width: drawn again when that changes.
let redraw;
window.addEventListener("resize", () => {
  cancelAnimationFrame(redraw);
  redraw = requestAnimationFrame(() => {
    if (lastTimeline) drawTimelineChart(byId("timeline-chart"), byId("timeline-summary"), lastTimeline);
  });
});

export function renderStats(stats) {
  const admin = stats.caller?.admin === true;
  for (const part of document.querySelectorAll("[data-admin-only]")) part.hidden = !admin;
  renderIdentity(stats, admin);
  renderPool(stats.pool, admin);
  lastTimeline = stats.timeline;
  drawTimelineChart(byId("timeline-chart"), byId("timeline-summary"), stats.timeline);
  renderUsage(stats, admin);
  renderCache(stats.cache);
}

function renderIdentity(stats, admin) {
  const who = stats.caller ? `${stats.caller.name}${admin ? " (admin)" : ""}` : "unknown";
  byId("identity").replaceChildren(
    `version ${stats.version} · up ${formatDuration(stats.uptime_seconds)} · instance `,
    element("code", {}, stats.instance),
    " · signed in as ",
    element("strong", {}, who),
  );
}

const poolStates = ["starting", "spare", "preparing", "leased", "clearing", "idle", "bound"];

function renderPool(pool, admin) {
  fillFigures(byId("pool-states"), [
    ["processes", formatCount(pool.processes)],
    ...poolStates.map((state) => [state, formatCount(pool.states[state])]),
    ["queued", formatCount(pool.queued)],
    ["spawned", formatCount(pool.spawned)],
    ["crashed", formatCount(pool.crashed)],
  ]);
  if (!admin || !pool.by_profile) return;
  const rows = Object.entries(pool.by_profile).map(([profile, states]) => [
    element("code", {}, profile),
    formatCount(Object.values(states).reduce((sum, count) => sum + count, 0)),
    poolStates
      .filter((state) => states[state] > 0)
      .map((state) => `${formatCount(states[state])} ${state}`)
      .join(", "),
  ]);
  fillTable(
    byId("pool-profiles"),
    [{ label: "launch profile" }, { label: "processes", numeric: true }, { label: "states" }],
    rows,
    "No processes.",
  );
}

const usageColumns = [
  { label: "requests", numeric: true },
  { label: "prompt tokens", numeric: true },
  { label: "completion tokens", numeric: true },
  { label: "cost", numeric: true },
];

const usageCells = (usage) => [
  formatCount(usage.requests),
  formatCount(usage.promptTokens),
  formatCount(usage.completionTokens),
  formatUsd(usage.costUsd),
];

function renderUsage(stats, admin) {
  const own = stats.your_usage;
  fillFigures(byId("usage-totals"), [
    ["your requests", formatCount(own?.requests)],
    ["your tokens in", formatCount(own?.promptTokens)],
    ["your tokens out", formatCount(own?.completionTokens)],
    ["your cost", formatUsd(own?.costUsd)],
  ]);
  fillTable(
    byId("usage-by-model"),
    [{ label: "model" }, ...usageColumns],
    Object.entries(stats.models ?? {}).map(([model, usage]) => [model, ...usageCells(usage)]),
    "No turns yet.",
  );
  if (!admin || !stats.usage_by_key) return;
  fillTable(
    byId("usage-by-key"),
    [{ label: "key name" }, ...usageColumns],
    stats.usage_by_key.map((usage) => [usage.name, ...usageCells(usage)]),
    "No turns yet.",
  );
}

function renderCache(cache) {
  const lookups = cache.hit + cache.miss;
  fillFigures(byId("cache"), [
    ["hit rate", lookups === 0 ? "no lookups" : formatFraction(cache.hit / lookups)],
    ["hits", formatCount(cache.hit)],
    ["misses", formatCount(cache.miss)],
  ]);
}
