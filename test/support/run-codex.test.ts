/**
 * runCodex against a scripted Responses server in this file (not the gateway): the Codex binary
 * that `npm ci` installed runs offline as CI runs it, makes a function-call round trip through its
 * read-only sandbox, and is ended by its own pid when the server never answers.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { runCodex } from "./run-codex.js";

type Answer = (body: Record<string, unknown>, response: ServerResponse) => void;

interface ScriptedServer {
  baseUrl: string;
  requests: { headers: IncomingMessage["headers"]; body: Record<string, unknown> }[];
  close(): Promise<void>;
}

async function startScriptedServer(answers: Answer[]): Promise<ScriptedServer> {
  const requests: ScriptedServer["requests"] = [];
  const server: Server = createServer((request, response) => {
    let raw = "";
    request.on("data", (chunk) => {
      raw += chunk;
    });
    request.on("end", () => {
      const body = JSON.parse(raw || "{}") as Record<string, unknown>;
      requests.push({ headers: request.headers, body });
      const answer = answers[requests.length - 1];
      if (request.method !== "POST" || request.url !== "/v1/responses" || !answer) {
        response.writeHead(400, { "content-type": "application/json" });
        response.end(JSON.stringify({ error: { message: `unexpected ${request.method} ${request.url}` } }));
        return;
      }
      answer(body, response);
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

function stream(id: string, model: string, items: Record<string, unknown>[], response: ServerResponse): void {
  const base = { id, object: "response", created_at: Math.floor(Date.now() / 1000), model, error: null };
  const events: Record<string, unknown>[] = [
    { type: "response.created", response: { ...base, status: "in_progress", output: [] } },
  ];
  items.forEach((item, index) => {
    events.push({ type: "response.output_item.added", output_index: index, item: { ...item, status: "in_progress" } });
    events.push({ type: "response.output_item.done", output_index: index, item });
  });
  const usage = { input_tokens: 10, output_tokens: 2, total_tokens: 12 };
  events.push({ type: "response.completed", response: { ...base, status: "completed", output: items, usage } });
  response.writeHead(200, { "content-type": "text/event-stream" });
  events.forEach((event, index) => {
    response.write(`event: ${event.type}\ndata: ${JSON.stringify({ ...event, sequence_number: index })}\n\n`);
  });
  response.end();
}

describe("runCodex", () => {
  let workdir: string;
  let server: ScriptedServer | undefined;

  beforeEach(() => {
    workdir = mkdtempSync(join(tmpdir(), "ccapi-codex-work-"));
  });
  afterEach(async () => {
    await server?.close();
    server = undefined;
    rmSync(workdir, { recursive: true, force: true });
  });

  it("runs a function-call round trip offline and returns the last message", async () => {
    server = await startScriptedServer([
      (body, response) =>
        stream(
          "resp_1",
          String(body.model),
          [
            {
              id: "fc_1",
              type: "function_call",
              status: "completed",
              name: "exec_command",
              call_id: "call_1",
              arguments: JSON.stringify({ cmd: "echo hi" }),
            },
          ],
          response,
        ),
      (body, response) =>
        stream(
          "resp_2",
          String(body.model),
          [
            {
              id: "msg_2",
              type: "message",
              status: "completed",
              role: "assistant",
              content: [{ type: "output_text", text: "It printed hi.", annotations: [] }],
            },
          ],
          response,
        ),
    ]);
    const run = await runCodex({
      baseUrl: server.baseUrl,
      apiKey: "sk-test",
      model: "sonnet",
      prompt: "run echo hi",
      workdir,
    });
    expect(run, run.stderr).toMatchObject({ exitCode: 0, timedOut: false, lastMessage: "It printed hi." });
    expect(server.requests).toHaveLength(2);
    const [first, second] = server.requests;
    expect(first?.headers.authorization).toBe("Bearer sk-test");
    expect(second?.body).toMatchObject({ model: "sonnet", stream: true, store: false });
    expect(second?.body).not.toHaveProperty("previous_response_id");
    const input = second?.body.input as Record<string, unknown>[];
    expect(input.slice(-2)).toEqual([
      {
        type: "function_call",
        status: "completed",
        id: "fc_1",
        name: "exec_command",
        arguments: '{"cmd":"echo hi"}',
        call_id: "call_1",
      },
      {
        type: "function_call_output",
        id: expect.stringMatching(/^fco_/),
        call_id: "call_1",
        output: expect.any(String),
      },
    ]);
    // The command ran in the sandbox: its output, exit code 0, is what Codex sent back.
    expect(input.at(-1)?.output).toMatch(/Process exited with code 0\n[\s\S]*Output:\nhi\n$/);
  });

  it("ends Codex by its pid when the server never answers", async () => {
    server = await startScriptedServer([() => {}]);
    const started = Date.now();
    const run = await runCodex({
      baseUrl: server.baseUrl,
      apiKey: "sk-test",
      model: "sonnet",
      prompt: "hello",
      workdir,
      timeoutMs: 3_000,
    });
    expect(run.timedOut).toBe(true);
    expect(run.signal).toBe("SIGTERM");
    expect(Date.now() - started).toBeLessThan(10_000);
    expect(run.lastMessage ?? "").toBe("");
  });
});
