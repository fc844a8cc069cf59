/**
 * The caller's conversations (GET /v1/conversations lists only the key's own): open one to read
 * its items, continue it in the playground, delete it.
 */
import { element, fillTable, formatTime } from "./dom.js";
import { getJson, request } from "./gateway-client.js";

const byId = (id) => document.getElementById(id);

export function createConversationsPanel({ onContinue, onDeleted, onError }) {
  let opened;

  async function refresh() {
    const page = await getJson("v1/conversations?limit=20&order=desc");
    fillTable(
      byId("conversations"),
      [{ label: "id" }, { label: "created" }, { label: "metadata" }, { label: "actions" }],
      page.data.map((conversation) => [
        element("code", {}, conversation.id),
        formatTime(conversation.created_at),
        Object.entries(conversation.metadata ?? {})
          .map(([name, value]) => `${name}=${value}`)
          .join(", "),
        element(
          "span",
          { class: "row-actions" },
          element(
            "button",
            { type: "button", "aria-label": `Open ${conversation.id}`, onclick: () => run(open(conversation.id)) },
            "Open",
          ),
          element(
            "button",
            {
              type: "button",
              class: "danger",
              "aria-label": `Delete ${conversation.id}`,
              onclick: () => run(remove(conversation.id)),
            },
            "Delete",
          ),
        ),
      ]),
      "No conversations yet.",
    );
  }

  async function open(id) {
    const page = await getJson(`v1/conversations/${encodeURIComponent(id)}/items?limit=100&order=asc`);
    opened = id;
    byId("conversation-items").replaceChildren(
      ...page.data.map((item) =>
        element(
          "li",
          { class: `message ${item.role}` },
          element("span", { class: "role" }, item.role),
          element("p", { class: "text" }, (item.content ?? []).map((part) => part.text ?? "").join("")),
        ),
      ),
    );
    if (page.has_more)
      byId("conversation-items").append(element("li", { class: "muted small" }, "Older items not shown."));
    const heading = byId("conversation-view-heading");
    heading.textContent = `Conversation ${id}`;
    byId("conversation-view").hidden = false;
    heading.focus();
  }

  async function remove(id) {
    if (!window.confirm(`Delete ${id}? Its items are gone for good.`)) return;
    await request(`v1/conversations/${encodeURIComponent(id)}`, { method: "DELETE" });
    if (opened === id) close();
    onDeleted(id);
    await refresh();
  }

  function close() {
    opened = undefined;
    byId("conversation-view").hidden = true;
  }

  function run(promise) {
    promise.catch(onError);
  }

  byId("refresh-conversations").addEventListener("click", () => run(refresh()));
  byId("close-conversation").addEventListener("click", close);
  byId("continue-conversation").addEventListener("click", () => {
    if (opened) onContinue(opened);
  });
  return { refresh };
}
