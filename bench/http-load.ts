/** Chat completion requests against a gateway: JSON latency, streaming time to first token, concurrency. */
export interface LoadResult {
  latencies: number[];
  wallMs: number;
}

/** With `conversationId`, the next message of that conversation; `store: false`, a one-off. */
export interface CompletionOptions {
  conversationId?: string;
  store?: boolean;
  /** The caller's API key. */
  apiKey?: string;
}

function body(model: string, content: string, stream = false, options: CompletionOptions = {}): string {
  const messages = [{ role: "user", content }];
  return JSON.stringify({ model, stream, messages, conversation_id: options.conversationId, store: options.store });
}

/** Milliseconds for one JSON completion. */
export async function completion(
  url: string,
  model: string,
  content: string,
  options: CompletionOptions = {},
): Promise<number> {
  return (await converse(url, model, content, options)).ms;
}

export async function converse(
  url: string,
  model: string,
  content: string,
  options: CompletionOptions = {},
): Promise<{ ms: number; conversationId: string }> {
  const started = performance.now();
  const response = await fetch(`${url}/v1/chat/completions`, {
    method: "POST",
    headers: {
      "content-type": "application/json",
      ...(options.apiKey ? { authorization: `Bearer ${options.apiKey}` } : {}),
    },
    body: body(model, content, false, options),
  });
  const json = (await response.json()) as {
    conversation_id: string;
    choices?: Array<{ message: { content: string } }>;
  };
  if (response.status !== 200 || !json.choices?.[0]?.message.content) {
    throw new Error(`unexpected answer ${response.status}: ${JSON.stringify(json).slice(0, 200)}`);
  }
  return { ms: performance.now() - started, conversationId: json.conversation_id };
}

/** Milliseconds from sending the request to the first content token on the SSE stream. */
export async function timeToFirstToken(url: string, model: string, content: string): Promise<number> {
  const started = performance.now();
  const response = await fetch(`${url}/v1/chat/completions`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: body(model, content, true),
  });
  const reader = response.body?.getReader();
  if (!reader) throw new Error("no body");
  const decoder = new TextDecoder();
  let text = "";
  let first = Number.NaN;
  for (;;) {
    const { value, done } = await reader.read();
    if (done) break;
    text += decoder.decode(value, { stream: true });
    if (Number.isNaN(first) && text.includes('"content":"E')) first = performance.now() - started;
  }
  if (!text.includes("data: [DONE]")) throw new Error("stream did not finish");
  return first;
}

/** `total` requests from `clients` concurrent clients, each sending its next request when answered. */
export async function concurrent(
  clients: number,
  total: number,
  send: (index: number) => Promise<number>,
): Promise<LoadResult> {
  const latencies: number[] = [];
  let next = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: clients }, async () => {
      while (next < total) {
        const index = next++;
        latencies.push(await send(index));
      }
    }),
  );
  return { latencies, wallMs: performance.now() - started };
}

/** One Responses API request (a new conversation, JSON): its round-trip milliseconds. */
export async function responseTurn(url: string, model: string, input: string): Promise<number> {
  const started = performance.now();
  const response = await fetch(`${url}/v1/responses`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ model, input }),
  });
  const json = (await response.json()) as { status?: string; error?: unknown };
  if (response.status !== 200 || json.status !== "completed") {
    throw new Error(`responses request failed: ${response.status} ${JSON.stringify(json).slice(0, 300)}`);
  }
  return performance.now() - started;
}

/** One Messages API request (a new conversation, JSON): its round-trip milliseconds. */
export async function messagesTurn(url: string, model: string, prompt: string): Promise<number> {
  const started = performance.now();
  const response = await fetch(`${url}/v1/messages`, {
    method: "POST",
    // Anthropic's clients always send the version header; the gateway sees what they send.
    headers: { "content-type": "application/json", "anthropic-version": "2023-06-01" },
    body: JSON.stringify({ model, max_tokens: 1024, messages: [{ role: "user", content: prompt }] }),
  });
  const json = (await response.json()) as { type?: string; error?: unknown };
  if (!response.ok || json.type !== "message") {
    throw new Error(`messages request failed: ${response.status} ${JSON.stringify(json).slice(0, 300)}`);
  }
  return performance.now() - started;
}
