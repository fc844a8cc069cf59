/**
 * The server.* limits against the attacks that found them: headers and bodies sent slowly are cut
 * at their timeouts (Node's defaults held them for 300 s), idle keep-alive connections are let go,
 * and a client that hangs up is one info line, not an error with a stack. Long answers, streamed or
 * not, are not cut by the request timeouts. (Connection caps: connection-limits.test.ts.)
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { capturedLogger, type LogLine, logLevels } from "../support/captured-logger.js";
import { eventually, poolSettled } from "../support/eventually.js";
import { openConnection } from "../support/raw-connection.js";
import { startTestGateway, type TestGateway } from "../support/start-test-gateway.js";

let test: TestGateway;
let port: number;
const { logger, lines } = capturedLogger();
beforeAll(async () => {
  test = await startTestGateway({
    server: {
      header_timeout_seconds: 1,
      body_timeout_seconds: 2,
      keep_alive_timeout_seconds: 1,
      max_requests_per_connection: 2,
    },
    logger,
  });
  port = Number(new URL(test.url).port);
});
afterAll(() => test.close());

const chatHead = (length: number) =>
  `POST /v1/chat/completions HTTP/1.1\r\nhost: 127.0.0.1\r\ncontent-type: application/json\r\ncontent-length: ${length}\r\n\r\n`;

/** Nothing at error level, and no stack anywhere: a client's doing is not the gateway's fault. */
function expectNoErrorLines(logged: LogLine[]) {
  expect(logged.filter((line) => line.level >= logLevels.error)).toEqual([]);
  expect(logged.filter((line) => JSON.stringify(line).includes("stack"))).toEqual([]);
}

describe("server limits", () => {
  it("cuts a request whose headers or body arrive too slowly with 408, logged at info", async () => {
    const from = lines.length;
    const headers = await openConnection(port);
    headers.socket.write("POST /v1/chat/completions HTTP/1.1\r\nhost: 127.0.0.1\r\n");
    const body = await openConnection(port);
    body.socket.write(`${chatHead(1000)}{"model":"sonnet",`);
    // A byte every 100 ms: the connection is never idle, the request just never arrives.
    const trickle = setInterval(() => body.socket.write(" "), 100);
    void body.closed.then(() => clearInterval(trickle));

    const headersOpenMs = await headers.closed;
    const bodyOpenMs = await body.closed;
    expect(headers.text()).toMatch(/^HTTP\/1\.1 408 /);
    expect(body.text()).toMatch(/^HTTP\/1\.1 408 /);
    expect(headersOpenMs).toBeGreaterThanOrEqual(900);
    expect(bodyOpenMs).toBeGreaterThanOrEqual(1900);
    // Node's defaults would have held them 60 and 300 s.
    expect(headersOpenMs).toBeLessThan(10_000);
    expect(bodyOpenMs).toBeLessThan(10_000);
    const timedOut = await eventually(() => {
      const line = lines.slice(from).find((entry) => entry.code === "request_timeout");
      expect(line).toBeDefined();
      return line as LogLine;
    });
    expect(timedOut).toMatchObject({ level: logLevels.info, status: 408 });
    expectNoErrorLines(lines.slice(from));
  });

  it("lets answers take longer than the request timeouts, streamed or not", async () => {
    const started = performance.now();
    const stream = await test.client.chat.completions.create({
      model: "sonnet",
      stream: true,
      messages: [{ role: "user", content: "[[slow:12:250]] take your time" }],
    });
    let text = "";
    let finish: string | null | undefined;
    for await (const chunk of stream) {
      text += chunk.choices[0]?.delta.content ?? "";
      finish = chunk.choices[0]?.finish_reason ?? finish;
    }
    expect(performance.now() - started).toBeGreaterThan(2_000);
    expect(text.trim().split(" ")).toHaveLength(12);
    expect(finish).toBe("stop");

    const answer = await test.client.chat.completions.create({
      model: "sonnet",
      messages: [{ role: "user", content: "[[sleep:2500]] still there?" }],
    });
    expect(answer.choices[0]?.message.content).toContain("still there?");
  });

  it("closes an idle keep-alive connection, and one that has carried its most requests", async () => {
    const idle = await openConnection(port);
    idle.socket.write("GET /health HTTP/1.1\r\nhost: 127.0.0.1\r\n\r\n");
    await eventually(() => expect(idle.text()).toContain('{"status":"ok"}'));
    expect(idle.text()).toMatch(/keep-alive/i);
    const idleMs = await idle.closed;
    expect(idleMs).toBeGreaterThanOrEqual(900);
    expect(idleMs).toBeLessThan(10_000);

    const busy = await openConnection(port);
    const get = "GET /health HTTP/1.1\r\nhost: 127.0.0.1\r\n\r\n";
    busy.socket.write(get);
    await eventually(() => expect(busy.text().match(/HTTP\/1\.1 200/g)).toHaveLength(1));
    busy.socket.write(get);
    await busy.closed;
    const answers = busy.text().split(/(?=HTTP\/1\.1 )/);
    expect(answers).toHaveLength(2);
    expect(answers[0]).toMatch(/connection: keep-alive/i);
    expect(answers[1]).toMatch(/connection: close/i);
  });

  it("logs a client that hangs up mid-body or mid-stream as one info line without a stack", async () => {
    const from = lines.length;
    const halfBody = await openConnection(port);
    halfBody.socket.write(`${chatHead(1000)}{"model":"sonnet","messages":[{"role":"user","content":"half`);
    await eventually(() => expect(test.gateway.services.inFlight.size).toBe(1));
    halfBody.socket.destroy();
    await eventually(() =>
      expect(lines.slice(from).find((line) => line.code === "client_closed_request")).toMatchObject({
        level: logLevels.info,
        status: 499,
      }),
    );

    const streamFrom = lines.length;
    const controller = new AbortController();
    const response = await test.post(
      { model: "sonnet", stream: true, messages: [{ role: "user", content: "[[slow:40:50]] cut me" }] },
      { signal: controller.signal },
    );
    await response.body?.getReader().read();
    controller.abort();
    const gone = await eventually(() => {
      const found = lines.slice(streamFrom).filter((line) => line.msg.startsWith("stream ended"));
      expect(found).toHaveLength(1);
      return found[0] as LogLine;
    });
    expect(gone).toMatchObject({ level: logLevels.info, status: 499 });
    await poolSettled(test.pool);
    expect(lines.slice(streamFrom).filter((line) => line.msg.startsWith("stream ended"))).toHaveLength(1);
    expectNoErrorLines(lines.slice(from));
  });
});
