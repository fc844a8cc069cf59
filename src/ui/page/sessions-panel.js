/** The caller's live sessions (GET /v1/sessions lists only the key's own, on every instance). */
import { element, fillTable, formatCount, formatTime, formatUsd } from "./dom.js";
import { getJson } from "./gateway-client.js";

export async function refreshSessions() {
  const list = await getJson("v1/sessions");
  fillTable(
    document.getElementById("sessions"),
    [
      { label: "id" },
      { label: "state" },
      { label: "model" },
      { label: "turns", numeric: true },
      { label: "cost", numeric: true },
      { label: "clients", numeric: true },
      { label: "started" },
    ],
    list.data.map((session) => [
      element("code", {}, session.id),
      session.state,
      session.model ?? "default",
      formatCount(session.turns),
      formatUsd(session.cost_usd),
      formatCount(session.clients),
      formatTime(session.created_at),
    ]),
    "No live sessions.",
  );
}
