/**
 * What streams whose client never reads cost the gateway (decision 0010):
 *
 *   node --expose-gc --import tsx bench/unread-streams.ts [streams=100] [chunks=200]
 *
 * A gateway in this process (pool of 10, the real CLI against the mock API) gets `streams` raw
 * connections, each asking for a streamed answer of `chunks` deltas of 30 000 characters and never
 * reading it. Once the gateway has no request in flight and no process leased (or 400 s have
 * passed), it prints how many turns reached the mock API, how long that took, the requests and
 * processes still held, and the heap and buffers held after a collection while the clients still
 * hold their connections.
 */
import { connect, type Socket } from "node:net";
import { startTestGateway } from "../test/support/start-test-gateway.js";

const streams = Number(process.argv[2] ?? 100);
const chunks = Number(process.argv[3] ?? 200);
const gc = (globalThis as { gc?: () => void }).gc;
if (!gc) throw new Error("run with node --expose-gc");

const test = await startTestGateway({
  claude: { max_concurrent_sessions: 10, max_queued_requests: streams, pool_min_idle: 0 },
});
const port = Number(new URL(test.url).port);
const wait = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const held = () => {
  gc();
  const usage = process.memoryUsage();
  return usage.heapUsed + usage.arrayBuffers;
};

const before = held();
const started = performance.now();
const sockets: Socket[] = [];
for (let index = 0; index < streams; index++) {
  const socket = connect(port, "127.0.0.1");
  const body = JSON.stringify({
    model: "sonnet",
    stream: true,
    store: false,
    messages: [{ role: "user", content: `[[chunks:${chunks}:30000]] client ${index}` }],
  });
  socket.write(
    `POST /v1/chat/completions HTTP/1.1\r\nhost: 127.0.0.1\r\ncontent-type: application/json\r\ncontent-length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
  );
  socket.pause();
  socket.on("error", () => {});
  sockets.push(socket);
}
const answered = () => test.environment.mock.messageRequests().filter((request) => request.outcome !== "pending");
const inFlight = test.gateway.services.inFlight;
const settled = () => inFlight.size === 0 && (test.pool().states.leased ?? 0) === 0;
// Every request is received (and waits for a process) within moments; then they are worked off.
while (inFlight.size < streams && performance.now() - started < 10_000) await wait(10);
while (!settled() && performance.now() - started < 400_000) await wait(250);
const seconds = (performance.now() - started) / 1000;

console.log(
  JSON.stringify({
    streams,
    answerMegabytes: (chunks * 30_000) / 1e6,
    turnsAnswered: answered().length,
    seconds: Math.round(seconds),
    requestsInFlight: inFlight.size,
    processesLeased: test.pool().states.leased,
    heldMegabytes: Math.round((held() - before) / 1e5) / 10,
  }),
);
for (const socket of sockets) socket.destroy();
await test.close();
