/**
 * A few helpers the page is built with: elements from a tag, attributes and children (text is
 * always a text node: nothing the API returns is ever parsed as HTML), tables, and the formats
 * numbers are shown in.
 */

/** `element("td", { class: "num" }, "42")`; `on…` attributes become listeners, false/null are left out. */
export function element(tag, attributes = {}, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (value === undefined || value === null || value === false) continue;
    if (name.startsWith("on")) node.addEventListener(name.slice(2), value);
    else node.setAttribute(name, value === true ? "" : String(value));
  }
  node.append(...flatten(children));
  return node;
}

function flatten(children) {
  return children
    .flat(Infinity)
    .filter((child) => child !== undefined && child !== null && child !== false)
    .map((child) => (child instanceof Node ? child : String(child)));
}

/** Fills a table: a header row of `columns`, then one row per entry (or one row saying `empty`). */
export function fillTable(table, columns, rows, empty) {
  const head = element(
    "thead",
    {},
    element(
      "tr",
      {},
      columns.map((column) => headerCell(column)),
    ),
  );
  const bodyRows =
    rows.length > 0
      ? rows.map((cells) =>
          element(
            "tr",
            {},
            cells.map((cell, index) => element("td", { class: columns[index]?.numeric ? "num" : null }, cell)),
          ),
        )
      : [element("tr", {}, element("td", { colspan: columns.length, class: "muted" }, empty))];
  const caption = table.querySelector("caption");
  table.replaceChildren(...(caption ? [caption] : []), head, element("tbody", {}, bodyRows));
}

function headerCell(column) {
  return element("th", { scope: "col", class: column.numeric ? "num" : null }, column.label);
}

/** A `<dl>` of label → value pairs. */
export function fillFigures(list, figures) {
  list.replaceChildren(
    ...figures.map(([label, value]) =>
      element("div", { class: "figure" }, element("dt", {}, label), element("dd", {}, value)),
    ),
  );
}

const counts = new Intl.NumberFormat(undefined, { maximumFractionDigits: 0 });
const dollars = new Intl.NumberFormat(undefined, { style: "currency", currency: "USD", maximumFractionDigits: 4 });

export const formatCount = (value) => counts.format(value ?? 0);
export const formatUsd = (value) => dollars.format(value ?? 0);

/** A 0–1 fraction as a percentage; null or undefined is unknown, never 0 %. */
export function formatFraction(value) {
  if (value === null || value === undefined || !Number.isFinite(value)) return "unknown";
  return `${(value * 100).toFixed(value < 0.1 && value > 0 ? 1 : 0)} %`;
}

/** 95 → "1 min 35 s", 7300 → "2 h 1 min". */
export function formatDuration(totalSeconds) {
  const seconds = Math.max(0, Math.round(totalSeconds));
  const days = Math.floor(seconds / 86_400);
  const hours = Math.floor((seconds % 86_400) / 3600);
  const minutes = Math.floor((seconds % 3600) / 60);
  if (days > 0) return `${days} d ${hours} h`;
  if (hours > 0) return `${hours} h ${minutes} min`;
  if (minutes > 0) return `${minutes} min ${seconds % 60} s`;
  return `${seconds} s`;
}

/** Unix seconds or an ISO string → the local date and time. */
export function formatTime(value) {
  const date = typeof value === "number" ? new Date(value * 1000) : new Date(value);
  return date.toLocaleString(undefined, { dateStyle: "medium", timeStyle: "short" });
}
