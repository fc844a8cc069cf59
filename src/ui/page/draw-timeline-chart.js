/**
 * The last hour of model requests as an SVG drawn by hand: a bar per 10-second bucket for requests
 * per second (left scale), a line for the bucket's mean latency (right scale), and a caption that
 * says the same in words for those who do not see the chart.
 */
import { formatCount } from "./dom.js";

const svgNamespace = "http://www.w3.org/2000/svg";
const height = 220;

function svg(tag, attributes = {}, text) {
  const node = document.createElementNS(svgNamespace, tag);
  for (const [name, value] of Object.entries(attributes)) node.setAttribute(name, String(value));
  if (text !== undefined) node.textContent = text;
  return node;
}

/** A round scale maximum at or above `value` (1, 2, 5, 10, 20, …). */
function niceCeiling(value) {
  if (value <= 0) return 1;
  const power = 10 ** Math.floor(Math.log10(value));
  return ([1, 2, 5, 10].find((step) => step * power >= value) ?? 10) * power;
}

function formatRate(value) {
  return value >= 10 ? value.toFixed(0) : value.toFixed(value >= 1 ? 1 : 2);
}

function formatMilliseconds(value) {
  return value >= 1000 ? `${(value / 1000).toFixed(value >= 10_000 ? 0 : 1)} s` : `${Math.round(value)} ms`;
}

/** `timeline` is /stats' `timeline`: bucket size, the span's ends (Unix seconds) and the non-empty buckets. */
export function drawTimelineChart(chart, caption, timeline) {
  const { bucket_seconds: bucketSeconds, from, to, buckets } = timeline;
  // As wide as it is shown, so its text keeps its size on a phone rather than shrinking with it.
  const width = Math.max(300, Math.round(chart.getBoundingClientRect().width) || 640);
  const plot = { left: 44, right: width - 52, top: 12, bottom: 192 };
  const slots = Math.round((to - from) / bucketSeconds);
  const step = (plot.right - plot.left) / slots;
  const rateMax = niceCeiling(Math.max(0, ...buckets.map((bucket) => bucket.requests / bucketSeconds)));
  const latencyMax = niceCeiling(Math.max(0, ...buckets.map((bucket) => bucket.latency_ms_mean)));
  const y = (fraction) => plot.bottom - fraction * (plot.bottom - plot.top);
  const x = (start) => plot.left + ((start - from) / bucketSeconds) * step;

  const nodes = [];
  for (const fraction of [0, 0.5, 1]) {
    nodes.push(svg("line", { class: "grid", x1: plot.left, x2: plot.right, y1: y(fraction), y2: y(fraction) }));
    nodes.push(
      svg(
        "text",
        { class: "axis", x: plot.left - 6, y: y(fraction) + 4, "text-anchor": "end" },
        formatRate(rateMax * fraction),
      ),
    );
    nodes.push(
      svg(
        "text",
        { class: "axis latency", x: plot.right + 6, y: y(fraction) + 4, "text-anchor": "start" },
        formatMilliseconds(latencyMax * fraction),
      ),
    );
  }
  for (const [minutes, anchor] of [
    [60, "start"],
    [30, "middle"],
    [0, "end"],
  ]) {
    const label = minutes === 0 ? "now" : `−${minutes} min`;
    const at = plot.left + ((60 - minutes) / 60) * (plot.right - plot.left);
    nodes.push(svg("text", { class: "axis", x: at, y: height - 6, "text-anchor": anchor }, label));
  }
  for (const bucket of buckets) {
    const top = y(bucket.requests / bucketSeconds / rateMax);
    nodes.push(
      svg("rect", {
        class: bucket.errors > 0 ? "bar errors" : "bar",
        x: x(bucket.start),
        y: top,
        width: Math.max(1, step - 0.5),
        height: plot.bottom - top,
        "data-requests": bucket.requests,
      }),
    );
  }
  if (buckets.length > 0) {
    const points = buckets.map(
      (bucket) => `${(x(bucket.start) + step / 2).toFixed(1)},${y(bucket.latency_ms_mean / latencyMax).toFixed(1)}`,
    );
    nodes.push(svg("polyline", { class: "latency-line", points: points.join(" ") }));
    for (const point of points) {
      const [cx, cy] = point.split(",");
      nodes.push(svg("circle", { class: "latency-point", cx, cy, r: 1.8 }));
    }
  }
  chart.setAttribute("viewBox", `0 0 ${width} ${height}`);
  // The <title> stays: it names the chart.
  chart.replaceChildren(...chart.querySelectorAll("title"), ...nodes);

  const total = buckets.reduce((sum, bucket) => sum + bucket.requests, 0);
  chart.dataset.requests = String(total);
  caption.textContent = summary(buckets, bucketSeconds, total);
}

function summary(buckets, bucketSeconds, total) {
  if (total === 0) return "No model requests in the last hour.";
  const errors = buckets.reduce((sum, bucket) => sum + bucket.errors, 0);
  const peak = Math.max(...buckets.map((bucket) => bucket.requests)) / bucketSeconds;
  const meanMs = buckets.reduce((sum, bucket) => sum + bucket.latency_ms_mean * bucket.requests, 0) / total;
  const maxMs = Math.max(...buckets.map((bucket) => bucket.latency_ms_max));
  return (
    `${formatCount(total)} model ${total === 1 ? "request" : "requests"} in the last hour (${formatCount(errors)} failed with 5xx); ` +
    `peak ${formatRate(peak)} per second; latency ${formatMilliseconds(meanMs)} on average, ${formatMilliseconds(maxMs)} at most.`
  );
}
