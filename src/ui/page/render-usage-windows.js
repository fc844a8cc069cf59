/**
 * The subscription's usage windows from GET /v1/usage: how much of each is used, when it resets,
 * and how old that news is. A value the CLI has not reported is shown as unknown, never as 0 —
 * as is every window while the gateway has no such route (an older gateway answers 404).
 */
import { element, formatDuration, formatFraction, formatTime } from "./dom.js";
import { GatewayRequestError, getJson } from "./gateway-client.js";

const windowNames = { five_hour: "5-hour window", seven_day: "7-day window" };
const unknownWindows = Object.keys(windowNames).map((name) => ({
  name,
  utilization: null,
  resets_at: null,
  status: null,
  age_seconds: null,
}));

export async function refreshUsageWindows() {
  const list = document.getElementById("usage-windows");
  let windows = unknownWindows;
  let note;
  try {
    windows = (await getJson("v1/usage")).windows ?? unknownWindows;
  } catch (error) {
    if (!(error instanceof GatewayRequestError)) throw error;
    note = error.status === 404 ? "This gateway does not report usage windows." : error.message;
  }
  list.replaceChildren(...windows.map(windowItem));
  if (note) list.append(element("li", { class: "muted small" }, note));
}

function windowItem(usageWindow) {
  const known = typeof usageWindow.utilization === "number";
  const label = Object.hasOwn(windowNames, usageWindow.name) ? windowNames[usageWindow.name] : usageWindow.name;
  const percent = formatFraction(known ? usageWindow.utilization : null);
  return element(
    "li",
    { class: "window", "data-window": usageWindow.name },
    element("span", { class: "window-name" }, label),
    known
      ? element(
          "meter",
          {
            min: 0,
            max: 1,
            low: 0.7,
            high: 0.9,
            optimum: 0,
            value: Math.min(1, usageWindow.utilization),
            "aria-label": `${label} used`,
          },
          percent,
        )
      : null,
    element("span", { class: known ? "window-used" : "window-used unknown" }, known ? `${percent} used` : "unknown"),
    element(
      "span",
      { class: "muted small" },
      [
        usageWindow.resets_at ? `resets ${formatTime(usageWindow.resets_at)}` : "reset time unknown",
        usageWindow.status ? `status ${usageWindow.status}` : null,
        typeof usageWindow.age_seconds === "number"
          ? `reported ${formatDuration(usageWindow.age_seconds)} ago`
          : "never reported",
      ]
        .filter(Boolean)
        .join(" · "),
    ),
  );
}
