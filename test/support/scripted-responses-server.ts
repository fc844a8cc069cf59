/**
 * A stand-in OpenAI Responses API for testing the client harnesses (run-codex, agents-sdk), not the
 * gateway: `POST /v1/responses` number n gets the n-th scripted list of output items, as an SSE
 * stream if the request asked for one (response.created, output_item.added/done per item,
 * response.completed with the items and usage; each event with sequence_number) or else as the
 * Response JSON. Every request is recorded. Anything else, or a request past the script, gets 400.
 */
import { createServer, type IncomingHttpHeaders, type ServerResponse } from "node:http";

export type OutputItem = Record<string, unknown>;

/** Output items for one response, or a function that answers (or never answers) by itself. */
export type ScriptedAnswer = OutputItem[] | ((body: Record<string, unknown>, response: ServerResponse) => void);

export interface ScriptedResponsesServer {
  /** Ends in `/v1`. */
  baseUrl: string;
  requests: { headers: IncomingHttpHeaders; body: Record<string, unknown> }[];
  close(): Promise<void>;
}

export function functionCall(id: string, callId: string, name: string, args: unknown): OutputItem {
  return { id, type: "function_call", status: "completed", name, call_id: callId, arguments: JSON.stringify(args) };
}

export function assistantMessage(id: string, text: string): OutputItem {
  return {
    id,
    type: "message",
    status: "completed",
    role: "assistant",
    content: [{ type: "output_text", text, annotations: [] }],
  };
}

function respond(index: number, body: Record<string, unknown>, items: OutputItem[], response: ServerResponse): void {
  const base = {
    id: `resp_scripted_${index}`,
    object: "response",
    created_at: Math.floor(Date.now() / 1000),
    model: body.model,
    error: null,
    incomplete_details: null,
    instructions: body.instructions ?? null,
    previous_response_id: body.previous_response_id ?? null,
    parallel_tool_calls: true,
    tool_choice: "auto",
    tools: [],
    metadata: {},
  };
  const usage = {
    input_tokens: 10,
    input_tokens_details: { cached_tokens: 0 },
    output_tokens: 2,
    output_tokens_details: { reasoning_tokens: 0 },
    total_tokens: 12,
  };
  const completed = { ...base, status: "completed", output: items, usage };
  if (body.stream !== true) {
    response.writeHead(200, { "content-type": "application/json" });
    response.end(JSON.stringify(completed));
    return;
  }
  const events: Record<string, unknown>[] = [
    { type: "response.created", response: { ...base, status: "in_progress", output: [], usage: null } },
  ];
  items.forEach((item, outputIndex) => {
    events.push({
      type: "response.output_item.added",
      output_index: outputIndex,
      item: { ...item, status: "in_progress" },
    });
    events.push({ type: "response.output_item.done", output_index: outputIndex, item });
  });
  events.push({ type: "response.completed", response: completed });
  response.writeHead(200, { "content-type": "text/event-stream", "cache-control": "no-cache" });
  events.forEach((event, sequenceNumber) => {
    response.write(`event: ${event.type}\ndata: ${JSON.stringify({ ...event, sequence_number: sequenceNumber })}\n\n`);
  });
  response.end();
}

export async function startScriptedResponsesServer(script: ScriptedAnswer[]): Promise<ScriptedResponsesServer> {
  const requests: ScriptedResponsesServer["requests"] = [];
  const server = createServer((request, response) => {
    let raw = "";
    request.on("data", (chunk) => {
      raw += chunk;
    });
    request.on("end", () => {
      let body: Record<string, unknown> = {};
      try {
        body = JSON.parse(raw || "{}") as Record<string, unknown>;
      } catch {}
      requests.push({ headers: request.headers, body });
      const answer = script[requests.length - 1];
      if (request.method !== "POST" || request.url !== "/v1/responses" || answer === undefined) {
        response.writeHead(400, { "content-type": "application/json" });
        response.end(JSON.stringify({ error: { message: `unscripted ${request.method} ${request.url}` } }));
      } else if (typeof answer === "function") {
        answer(body, response);
      } else {
        respond(requests.length, body, answer, response);
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as { port: number };
  return {
    baseUrl: `http://127.0.0.1:${port}/v1`,
    requests,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
