/**
 * Large request bodies at once (issue 11: 48 requests × 45 MB of history took the gateway to
 * 1.7 GB of RSS), against the bin as a user runs it, its peak RSS read from /proc: bodies are read
 * only up to server.max_body_mb_in_flight at once, the rest get 503 with Retry-After before their
 * body is read; a small request goes through as before.
 */
import { once } from "node:events";
import { readFileSync } from "node:fs";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { type ClaudeTestEnvironment, createClaudeTestEnvironment } from "../support/claude-test-environment.js";
import { runBin, stopBins } from "../support/run-bin.js";

let environment: ClaudeTestEnvironment;
beforeAll(async () => {
  environment = await createClaudeTestEnvironment();
});
afterEach(stopBins);
afterAll(() => environment.close());

const megabyte = 1024 * 1024;
const peakRssMegabytes = (pid: number | undefined) =>
  Number(/VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, "utf8"))?.[1] ?? 0) / 1024;

describe("request bodies in flight", () => {
  it("are read at most server.max_body_mb_in_flight at once: 12 × 45 MB sent together stay bounded", async () => {
    const bin = runBin(environment, ["--port", "0"], {
      CLAUDE_CODE__SERVER__MAX_BODY_MB_IN_FLIGHT: "100",
      // Every large request is refused by the quota once read: what is measured is reading them.
      CLAUDE_CODE__CONVERSATION__MAX_STORED_MB_PER_KEY: "1",
    });
    const url = await bin.listening;
    const idle = peakRssMegabytes(bin.child.pid);
    const body = Buffer.from(
      JSON.stringify({
        model: "sonnet",
        messages: [
          { role: "user", content: "x".repeat(45 * megabyte) },
          { role: "assistant", content: "noted" },
          { role: "user", content: "and?" },
        ],
      }),
    );
    const send = () =>
      fetch(`${url}/v1/chat/completions`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body,
      }).then(async (response) => ({
        status: response.status,
        retryAfter: response.headers.get("retry-after"),
        body: await response.text(),
      }));
    const replies = await Promise.all(Array.from({ length: 12 }, send));
    const busy = replies.filter((reply) => reply.status === 503);
    const read = replies.filter((reply) => reply.status === 429);
    expect(busy.length + read.length).toBe(12);
    expect(read.length).toBeGreaterThanOrEqual(2); // two fit in 100 MB at a time
    expect(busy.length).toBeGreaterThan(0);
    for (const reply of busy) {
      expect(reply.retryAfter).toBe("1");
      expect(JSON.parse(reply.body)).toMatchObject({ error: { code: "too_many_bytes_in_flight" } });
    }
    for (const reply of read) expect(JSON.parse(reply.body)).toMatchObject({ error: { code: "quota_exceeded" } });
    // Measured: all twelve read at once, +845 MB of peak RSS; two at a time (this budget), +434 MB.
    const peak = peakRssMegabytes(bin.child.pid);
    expect(peak - idle).toBeLessThan(700);

    const small = await fetch(`${url}/v1/chat/completions`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ model: "sonnet", messages: [{ role: "user", content: "small" }] }),
    });
    expect(small.status).toBe(200);
    // Ended as an operator would, so its CLI processes are gone before the directory is removed.
    bin.child.kill("SIGTERM");
    expect((await once(bin.child, "exit"))[0]).toBe(0);
  });
});
