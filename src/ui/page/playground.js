/**
 * The playground: a model, a message, the answer streamed from POST /v1/chat/completions as it
 * comes (text and the model's reasoning, `delta.reasoning_content`), and the conversation carried
 * on by the `conversation_id` the gateway returns — each next request sends only the new message.
 */
import { codeSamples } from "./code-samples.js";
import { element } from "./dom.js";
import { GatewayRequestError, gatewayUrl, getJson, request } from "./gateway-client.js";
import { readSseData } from "./read-sse.js";

const byId = (id) => document.getElementById(id);

export function createPlayground({ onError, onTurnDone }) {
  const form = byId("playground-form");
  const models = byId("model");
  const prompt = byId("prompt");
  const send = byId("send");
  const stop = byId("stop");
  const transcript = byId("transcript");
  let conversationId;
  let running;

  function showConversation() {
    byId("playground-conversation").replaceChildren(
      ...(conversationId
        ? ["Continuing ", element("code", {}, conversationId), "."]
        : ["A new conversation: the first answer starts one."]),
    );
  }

  async function loadModels() {
    const chosen = models.value;
    const list = await getJson("v1/models");
    const ids = list.data.map((model) => model.id);
    models.replaceChildren(...ids.map((id) => element("option", { value: id }, id)));
    models.value = ids.includes(chosen) ? chosen : ids.includes("sonnet") ? "sonnet" : (ids[0] ?? "");
  }

  async function submit() {
    const content = prompt.value.trim();
    if (!content || running) return;
    const model = models.value;
    const body = { model, stream: true, messages: [{ role: "user", content }] };
    if (conversationId) body.conversation_id = conversationId;
    showSamples({ baseUrl: gatewayUrl("v1").replace(/\/$/, ""), model, content, conversationId });
    transcript.append(message("user", content));
    const answer = assistantMessage();
    transcript.append(answer.item);
    prompt.value = "";
    running = new AbortController();
    setRunning(true);
    try {
      const response = await request("v1/chat/completions", {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify(body),
        signal: running.signal,
      });
      conversationId = response.headers.get("x-conversation-id") ?? conversationId;
      for await (const data of readSseData(response.body)) {
        if (data === "[DONE]") break;
        const chunk = JSON.parse(data);
        if (chunk.error) throw new GatewayRequestError(0, chunk.error.message, chunk.error.code);
        if (chunk.conversation_id) conversationId = chunk.conversation_id;
        answer.add(chunk.choices?.[0]);
      }
      answer.finish();
    } catch (error) {
      answer.fail(error.name === "AbortError" ? "Stopped." : error.message);
      if (error.status === 401) onError(error);
    } finally {
      running = undefined;
      setRunning(false);
      showConversation();
      onTurnDone();
    }
  }

  function setRunning(on) {
    transcript.setAttribute("aria-busy", String(on));
    send.disabled = on;
    stop.disabled = !on;
  }

  function showSamples(call) {
    const container = byId("code-samples");
    container.querySelectorAll("details").forEach((sample) => {
      sample.remove();
    });
    for (const [index, sample] of codeSamples(call).entries()) {
      const code = element("code", { class: `language-${sample.language}` }, sample.code);
      container.append(
        element(
          "details",
          { open: index === 0, "data-language": sample.language },
          element("summary", {}, sample.label),
          element("pre", {}, code),
          element("button", { type: "button", onclick: () => copy(sample.code) }, `Copy ${sample.label}`),
        ),
      );
    }
    container.hidden = false;
  }

  function copy(text) {
    navigator.clipboard?.writeText(text).catch(() => {});
  }

  form.addEventListener("submit", (event) => {
    event.preventDefault();
    submit().catch(onError);
  });
  prompt.addEventListener("keydown", (event) => {
    if (event.key === "Enter" && (event.ctrlKey || event.metaKey)) {
      event.preventDefault();
      form.requestSubmit();
    }
  });
  stop.addEventListener("click", () => running?.abort());
  byId("new-conversation").addEventListener("click", () => {
    conversationId = undefined;
    transcript.replaceChildren();
    showConversation();
    prompt.focus();
  });
  showConversation();

  return {
    loadModels,
    /** Carries on a conversation opened elsewhere on the page. */
    continueConversation(id) {
      conversationId = id;
      transcript.replaceChildren(element("li", { class: "muted small" }, "Earlier messages are in Conversations."));
      showConversation();
      prompt.focus();
    },
    /** A conversation was deleted: if it is this one, the next message starts a new one. */
    forget(id) {
      if (conversationId !== id) return;
      conversationId = undefined;
      showConversation();
    },
  };
}

function message(role, text) {
  return element(
    "li",
    { class: `message ${role}` },
    element("span", { class: "role" }, role),
    element("p", { class: "text" }, text),
  );
}

/** The answer being streamed: text and reasoning appended as their deltas arrive. */
function assistantMessage() {
  const reasoningText = element("p", { class: "text" });
  const reasoning = element(
    "details",
    { class: "reasoning", open: true, hidden: true },
    element("summary", {}, "Reasoning"),
    reasoningText,
  );
  const text = element("p", { class: "text answer" });
  const note = element("p", { class: "muted small" });
  const item = element(
    "li",
    { class: "message assistant streaming" },
    element("span", { class: "role" }, "assistant"),
    reasoning,
    text,
    note,
  );
  let finishReason;
  return {
    item,
    add(choice) {
      if (!choice) return;
      const delta = choice.delta ?? {};
      if (delta.reasoning_content) {
        reasoning.hidden = false;
        reasoningText.append(delta.reasoning_content);
      }
      if (delta.content) text.append(delta.content);
      if (delta.refusal) text.append(delta.refusal);
      if (choice.finish_reason) finishReason = choice.finish_reason;
    },
    finish() {
      item.classList.remove("streaming");
      note.textContent = finishReason ? `finish reason: ${finishReason}` : "";
    },
    fail(reason) {
      item.classList.remove("streaming");
      item.classList.add("failed");
      note.textContent = reason;
    },
  };
}
