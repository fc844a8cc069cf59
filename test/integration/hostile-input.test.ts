/**
 * Hostile input never gets a 5xx or takes the gateway down: hundreds of malformed, mistyped,
 * oversized, deeply nested and invalid-UTF-8 bodies, thousands of messages, and clients that hang
 * up mid-request — after which the gateway still answers correctly and has leaked no process.
 */
import { request as httpRequest } from "node:http";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { eventually, poolSettled } from "../support/eventually.js";
import { openConnection } from "../support/raw-connection.js";
import { startTestGateway, type TestGateway } from "../support/start-test-gateway.js";

let test: TestGateway;
beforeAll(async () => {
  test = await startTestGateway({ server: { body_limit_mb: 2 } });
});
afterAll(() => test.close());

/** A small deterministic generator, so a failing case can be replayed. */
function random(seed: number) {
  let state = seed >>> 0;
  return () => {
    state = (state * 1664525 + 1013904223) >>> 0;
    return state / 2 ** 32;
  };
}

const valid = { model: "sonnet", messages: [{ role: "user", content: "hi" }] };
const oddValues: unknown[] = [
  null,
  true,
  0,
  -1,
  1e308,
  "",
  "x".repeat(10_000),
  [],
  {},
  [[[]]],
  { a: { b: {} } },
  "\u0000",
  "🦄",
];

function mutate(next: () => number): unknown {
  const pick = <T>(values: readonly T[]): T => values[Math.floor(next() * values.length)] as T;
  const body = JSON.parse(JSON.stringify(valid)) as Record<string, unknown>;
  switch (Math.floor(next() * 6)) {
    case 0: // a top-level field replaced or added
      body[
        pick([
          "model",
          "messages",
          "stream",
          "tools",
          "n",
          "stop",
          "response_format",
          "conversation_id",
          "max_tokens",
          "x",
        ])
      ] = pick(oddValues);
      return body;
    case 1: // a message field replaced
      (body.messages as Array<Record<string, unknown>>)[0] = {
        role: pick(["user", "assistant", "tool", "system", "bogus", 7, null]),
        content: pick(oddValues),
      };
      return body;
    case 2: // content parts of odd kinds
      (body.messages as Array<Record<string, unknown>>)[0] = {
        role: "user",
        content: [
          {
            type: pick(["text", "image_url", "input_audio", "file", "refusal", "x"]),
            text: pick(oddValues),
            image_url: pick(oddValues),
          },
        ],
      };
      return body;
    case 3: // not an object at all
      return pick(oddValues);
    case 4: // the right shape with the wrong depth
      return { ...body, messages: pick([[], [[]], [{}], "messages", { 0: valid.messages[0] }]) };
    default: // response_format / tools nonsense
      return { ...body, tools: [{ type: "function", function: pick(oddValues) }], tool_choice: pick(oddValues) };
  }
}

async function send(body: string | Uint8Array): Promise<number> {
  const response = await fetch(`${test.url}/v1/chat/completions`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body,
  });
  await response.arrayBuffer();
  return response.status;
}

describe("hostile input", () => {
  it("answers hundreds of malformed bodies with 4xx (never 5xx), then still answers correctly", async () => {
    const next = random(20261121);
    const statuses = new Map<number, number>();
    const cases: Array<string | Uint8Array> = [];
    for (let index = 0; index < 300; index++) cases.push(JSON.stringify(mutate(next)));
    cases.push("{", "[", "null", "", "{{}", '{"model":', "\u0000\u0001", "<xml/>");
    cases.push(Uint8Array.from([0x7b, 0x22, 0xff, 0xfe, 0x22, 0x3a, 0x31, 0x7d])); // invalid UTF-8
    cases.push(`${"[".repeat(100_000)}${"]".repeat(100_000)}`); // deep nesting
    cases.push(
      JSON.stringify({
        ...valid,
        messages: [
          {
            role: "user",
            content: [{ type: "text", text: "a" }],
            nested: JSON.parse(`${"[".repeat(2000)}${"]".repeat(2000)}`),
          },
        ],
      }),
    );
    cases.push(JSON.stringify({ ...valid, model: "m".repeat(3_000_000) })); // over the body limit
    for (const body of cases) {
      const status = await send(body);
      statuses.set(status, (statuses.get(status) ?? 0) + 1);
      // Some mutations are still valid requests and get a real answer.
      expect(
        status === 200 || (status >= 400 && status < 500),
        `status ${status} for ${String(body).slice(0, 200)}`,
      ).toBe(true);
    }
    expect([...statuses.keys()].some((status) => status >= 400)).toBe(true);
    expect(await send(JSON.stringify({ model: "sonnet", messages: [{ role: "user", content: "still fine?" }] }))).toBe(
      200,
    );
  });

  it("serves a history of thousands of messages", async () => {
    const messages = Array.from({ length: 3000 }, (_, index) => ({
      role: index % 2 === 0 ? "user" : "assistant",
      content: `message ${index}`,
    }));
    messages.push({ role: "user", content: "the last one" });
    const response = await test.post({ model: "sonnet", messages });
    expect(response.status).toBe(200);
    const body = (await response.json()) as { choices: Array<{ message: { content: string } }> };
    expect(body.choices[0]?.message.content).toContain("the last one");
  });

  it("survives clients that hang up mid-body and mid-answer, and leaks no process", async () => {
    const { port } = new URL(test.url);
    for (let index = 0; index < 10; index++) {
      await new Promise<void>((resolve) => {
        const request = httpRequest({
          host: "127.0.0.1",
          port,
          method: "POST",
          path: "/v1/chat/completions",
          headers: { "content-type": "application/json", "content-length": "1000" },
        });
        request.on("error", () => resolve());
        request.write('{"model":"sonnet","messages":[{"role":"user","content":"half');
        setTimeout(() => {
          request.destroy();
          resolve();
        }, 20);
      });
    }
    for (let index = 0; index < 5; index++) {
      const controller = new AbortController();
      const response = await test.post(
        { model: "sonnet", stream: true, messages: [{ role: "user", content: "[[slow:20:50]] cut me" }] },
        { signal: controller.signal, headers: { "content-type": "application/json" } },
      );
      await response.body?.getReader().read();
      controller.abort();
    }
    await poolSettled(test.pool);
    await eventually(() => expect(test.pool().states.leased).toBe(0));
    expect(
      await send(JSON.stringify({ model: "sonnet", messages: [{ role: "user", content: "after the hang-ups" }] })),
    ).toBe(200);
  });

  it("survives WebSocket upgrades whose client resets the connection, refused or not", async () => {
    for (const path of ["/ws/session/none", "/nowhere", "/ws/session/%ZZ"]) {
      for (let index = 0; index < 5; index++) {
        const connection = await openConnection(test.gateway.port);
        connection.socket.write(
          `GET ${path} HTTP/1.1\r\nhost: 127.0.0.1\r\nconnection: upgrade\r\nupgrade: websocket\r\n` +
            "sec-websocket-version: 13\r\nsec-websocket-key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n",
        );
        // A TCP reset while the gateway answers: the socket errors after node has let it go.
        connection.socket.resetAndDestroy();
        await connection.closed;
      }
    }
    expect((await fetch(`${test.url}/health`)).status).toBe(200);
  });
});
