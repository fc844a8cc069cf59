/**
 * Back-pressure. Found by attack: streams whose client never reads were buffered in the gateway's
 * memory (100 such streams: +130 MB), each holding its CLI process for as long as its client held
 * the connection. Now at most server.stream_buffer_kb of an answer waits for a client: past it the
 * connection is cut, the turn interrupted and its process given back — while the client still
 * holds on — and memory does not grow with the answers. A client that reads gets every byte of an
 * answer many times the buffer.
 */
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { capturedLogger, logLevels } from "../support/captured-logger.js";
import { eventually, poolSettled } from "../support/eventually.js";
import { openConnection } from "../support/raw-connection.js";
import { startTestGateway, type TestGateway } from "../support/start-test-gateway.js";

let test: TestGateway;
let port: number;
const { logger, lines } = capturedLogger();
beforeAll(async () => {
  test = await startTestGateway({
    server: { stream_buffer_kb: 64 },
    claude: { max_concurrent_sessions: 3, pool_min_idle: 0 },
    logger,
  });
  port = Number(new URL(test.url).port);
});
afterAll(() => test.close());

/** The collector, so that what is measured is what is held, not garbage not yet collected. */
function collector(): () => void {
  setFlagsFromString("--expose-gc");
  return runInNewContext("gc") as () => void;
}

function heldBytes(): number {
  const usage = process.memoryUsage();
  return usage.heapUsed + usage.arrayBuffers;
}

// 400 deltas of 30 000 characters, 10 ms apart: 12 MB an answer, more than the kernel's socket
// buffers on loopback take in (up to ~4.5 MB, measured) and far more than the 64 KB buffer.
const chunkCount = 400;
const chunkSize = 30_000;
const longAnswer = `[[chunks:${chunkCount}:${chunkSize}:10]]`;

const cuts = () => lines.filter((line) => line.msg.startsWith("stream cut"));

describe("back-pressure", () => {
  it("cuts streams whose client never reads, interrupts their turns and gives their processes back", async () => {
    const gc = collector();
    gc();
    const before = heldBytes();
    const clients = await Promise.all([0, 1, 2].map(() => openConnection(port)));
    for (const [index, client] of clients.entries()) {
      const body = JSON.stringify({
        model: "sonnet",
        stream: true,
        store: false,
        messages: [{ role: "user", content: `${longAnswer} unread ${index}` }],
      });
      client.socket.write(
        `POST /v1/chat/completions HTTP/1.1\r\nhost: 127.0.0.1\r\ncontent-type: application/json\r\ncontent-length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
      );
      client.socket.pause();
    }
    const unread = () =>
      test.environment.mock.messageRequests().filter((request) => JSON.stringify(request.body).includes(" unread "));
    await eventually(() => expect(cuts()).toHaveLength(3), 60_000);
    // Each turn was interrupted mid-answer (the CLI dropped its API call), and every process is
    // back in the pool, while the clients still hold their connections.
    await eventually(() =>
      expect(unread().map((request) => request.outcome)).toEqual(["aborted", "aborted", "aborted"]),
    );
    await poolSettled(test.pool);
    expect(test.pool().states.leased).toBe(0);
    for (const line of cuts()) expect(line).toMatchObject({ level: logLevels.warn, bufferKb: 64 });

    // 36 MB of answers went by; what the gateway still holds for these clients is not among them.
    gc();
    expect(heldBytes() - before).toBeLessThan(8 * 1024 * 1024);

    // A client that reads at last finds its stream ended partway: no [DONE], a fraction of the answer.
    for (const client of clients) {
      client.socket.resume();
      await client.closed;
      expect(client.text()).not.toContain("data: [DONE]");
      expect(client.text().length).toBeLessThan((chunkCount * chunkSize) / 2);
    }
  });

  it("gives a client that reads every byte of an answer many times the buffer", async () => {
    // The default buffer (1 MB): the mock sends 12 MB at once, far faster than a model; a reader
    // in this busy test process can fall a few 64 KB behind it, not a megabyte.
    const reading = await startTestGateway({ claude: { max_concurrent_sessions: 1, pool_min_idle: 0 }, logger });
    try {
      const cutsBefore = cuts().length;
      const stream = await reading.client.chat.completions.create({
        model: "sonnet",
        stream: true,
        messages: [{ role: "user", content: `[[chunks:${chunkCount}:${chunkSize}]] read me` }],
      });
      let length = 0;
      let finish: string | null | undefined;
      for await (const chunk of stream) {
        length += chunk.choices[0]?.delta.content?.length ?? 0;
        finish = chunk.choices[0]?.finish_reason ?? finish;
      }
      expect(length).toBe(chunkCount * chunkSize);
      expect(finish).toBe("stop");
      expect(cuts()).toHaveLength(cutsBefore);
    } finally {
      await reading.close();
    }
  });
});
