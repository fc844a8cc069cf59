/**
 * The operator page's entry: the key form, and the page kept live by polling — /stats every few
 * seconds, the usage windows, conversations and sessions less often — paused while the tab is
 * hidden. A 401 asks for a key; every other failure is said in the status line, and the next
 * round tries again.
 */
import { createConversationsPanel } from "./conversations-panel.js";
import { GatewayRequestError, getJson, storedKey, storeKey } from "./gateway-client.js";
import { createPlayground } from "./playground.js";
import { renderStats } from "./render-stats.js";
import { refreshUsageWindows } from "./render-usage-windows.js";
import { refreshSessions } from "./sessions-panel.js";

const statsEveryMs = 3_000;
const listsEveryMs = 15_000;

const status = document.getElementById("status");
const keyInput = document.getElementById("api-key");

function report(error) {
  if (error instanceof GatewayRequestError && error.status === 401) {
    status.textContent = storedKey()
      ? "The gateway does not accept this key: type another."
      : "This gateway needs an API key: type it above.";
    keyInput.focus();
    return;
  }
  status.textContent = error instanceof GatewayRequestError ? error.message : `Unexpected: ${error.message}`;
  console.error(error);
}

const playground = createPlayground({ onError: report, onTurnDone: () => refreshLists() });
const conversations = createConversationsPanel({
  onContinue: (id) => playground.continueConversation(id),
  onDeleted: (id) => playground.forget(id),
  onError: report,
});

async function refreshStats() {
  renderStats(await getJson("stats"));
  status.textContent = "";
}

/** Each part on its own: one failing (sessions off, say) leaves the others drawn. */
async function refreshLists() {
  const results = await Promise.allSettled([conversations.refresh(), refreshSessions(), refreshUsageWindows()]);
  for (const result of results) if (result.status === "rejected") report(result.reason);
}

async function refreshAll() {
  try {
    await refreshStats();
  } catch (error) {
    report(error);
    return;
  }
  await Promise.allSettled([playground.loadModels().catch(report), refreshLists()]);
}

/** Runs `task` every `everyMs` while the page is visible, never two at once. */
function every(everyMs, task) {
  let timer;
  let busy = false;
  const round = async () => {
    if (busy) return;
    busy = true;
    clearTimeout(timer);
    try {
      if (document.visibilityState === "visible") await task();
    } catch (error) {
      report(error);
    } finally {
      busy = false;
      timer = setTimeout(round, everyMs);
    }
  };
  timer = setTimeout(round, everyMs);
  document.addEventListener("visibilitychange", () => {
    if (document.visibilityState === "visible") round();
  });
}

document.getElementById("key-form").addEventListener("submit", (event) => {
  event.preventDefault();
  storeKey(keyInput.value.trim());
  keyInput.value = "";
  status.textContent = "Key kept for this tab.";
  refreshAll();
});
document.getElementById("forget-key").addEventListener("click", () => {
  storeKey("");
  status.textContent = "Key forgotten.";
  refreshAll();
});

refreshAll();
every(statsEveryMs, refreshStats);
every(listsEveryMs, refreshLists);
