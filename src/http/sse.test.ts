import { describe, expect, it } from "vitest";
import { eventually } from "../../test/support/eventually.js";
import { GatewayError } from "../errors.js";
import { createSseResponse } from "./sse.js";

const options = { keepAliveMs: 50, bufferBytes: 1024 * 1024, onOverflow: () => {} };

async function* items(values: unknown[], delays: number[] = []) {
  for (const [index, value] of values.entries()) {
    if (delays[index]) await new Promise((resolve) => setTimeout(resolve, delays[index]));
    if (value instanceof Error) throw value;
    yield value;
  }
}

describe("createSseResponse", () => {
  it("writes each item as a data line and ends with [DONE], byte for byte", async () => {
    const response = await createSseResponse(items([{ a: 1 }, { b: "x" }]), options);
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toBe("text/event-stream; charset=utf-8");
    expect(await response.text()).toBe('data: {"a":1}\n\ndata: {"b":"x"}\n\ndata: [DONE]\n\n');
  });

  it("rejects instead of answering 200 when the source fails before its first item", async () => {
    const failure = new GatewayError("upstream said no", { status: 429, type: "rate_limit_error" });
    await expect(createSseResponse(items([failure]), options)).rejects.toBe(failure);
  });

  it("ends with a data: {error} event when the source fails after the stream began", async () => {
    const failure = new GatewayError("lost it", { status: 502, type: "server_error", code: "x" });
    const response = await createSseResponse(items([{ a: 1 }, failure]), options);
    expect(await response.text()).toBe(
      'data: {"a":1}\n\ndata: {"error":{"message":"lost it","type":"server_error","param":null,"code":"x"}}\n\n',
    );
  });

  it("hides an unexpected error's details", async () => {
    const response = await createSseResponse(items([{ a: 1 }, new Error("/secret/path exploded")]), options);
    const text = await response.text();
    expect(text).toContain('"code":"internal_error"');
    expect(text).not.toContain("/secret/path");
  });

  it("commits and pings while the source is silent", async () => {
    const response = await createSseResponse(items([{ late: true }], [170]), options);
    const text = await response.text();
    expect(text.startsWith(": ping\n\n")).toBe(true);
    expect(text.endsWith('data: {"late":true}\n\ndata: [DONE]\n\n')).toBe(true);
  });

  it("reads ahead of a client that does not read, up to bufferBytes, then stops the source and says so", async () => {
    let produced = 0;
    let finished = false;
    let overflows = 0;
    async function* endless() {
      try {
        for (;;) yield { index: produced++, padding: "x".repeat(80) };
      } finally {
        finished = true;
      }
    }
    await createSseResponse(endless(), { ...options, bufferBytes: 1000, onOverflow: () => overflows++ });
    await eventually(() => expect(finished).toBe(true));
    expect(overflows).toBe(1);
    // Events are added until 1000 bytes wait untaken; the next one finds the buffer full.
    const eventBytes = `data: ${JSON.stringify({ index: 0, padding: "x".repeat(80) })}\n\n`.length;
    expect(produced).toBe(Math.ceil(1000 / eventBytes) + 1);
  });

  it("sends an event larger than the whole buffer to a client that reads", async () => {
    let overflows = 0;
    const big = { text: "x".repeat(5000) };
    const response = await createSseResponse(items([big, { after: true }]), {
      ...options,
      bufferBytes: 1000,
      onOverflow: () => overflows++,
    });
    expect(await response.text()).toBe(`data: ${JSON.stringify(big)}\n\ndata: {"after":true}\n\ndata: [DONE]\n\n`);
    expect(overflows).toBe(0);
  });

  it("never cuts a client that reads, however long the stream", async () => {
    let overflows = 0;
    const values = Array.from({ length: 2000 }, (_, index) => ({ index, padding: "x".repeat(80) }));
    const response = await createSseResponse(items(values), {
      ...options,
      bufferBytes: 1000,
      onOverflow: () => overflows++,
    });
    const text = await response.text();
    expect(text.split("\n\n").filter((event) => event.startsWith("data: {")).length).toBe(2000);
    expect(text.endsWith("data: [DONE]\n\n")).toBe(true);
    expect(overflows).toBe(0);
  });

  it("tells of a cancel once and reports no error of the source after it", async () => {
    const failure = new GatewayError("too late", { status: 502, type: "server_error" });
    let release: () => void = () => {};
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    async function* failsLater() {
      yield { a: 1 };
      await gate;
      throw failure;
    }
    const errors: GatewayError[] = [];
    let cancels = 0;
    const response = await createSseResponse(failsLater(), {
      ...options,
      onStreamError: (error) => errors.push(error),
      onCancel: () => cancels++,
    });
    const reader = response.body?.getReader();
    await reader?.read();
    await reader?.cancel();
    release();
    await gate;
    await new Promise((resolve) => setImmediate(resolve));
    expect(cancels).toBe(1);
    expect(errors).toEqual([]);
  });

  it("stops the source when the client cancels", async () => {
    let finished = false;
    async function* endless() {
      try {
        for (let index = 0; ; index++) yield { index };
      } finally {
        finished = true;
      }
    }
    const response = await createSseResponse(endless(), options);
    const reader = response.body?.getReader();
    await reader?.read();
    await reader?.cancel();
    await eventually(() => expect(finished).toBe(true));
  });
});
