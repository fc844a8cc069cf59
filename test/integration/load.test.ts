/**
 * More clients than processes: everyone gets an answer or a 429 with Retry-After, the pool never
 * grows past its limit, memory does not grow from round to round, and nothing is left running.
 */
import { afterAll, beforeAll, expect, it } from "vitest";
import { eventually, poolSettled } from "../support/eventually.js";
import { isRunning } from "../support/is-running.js";
import { startTestGateway, type TestGateway } from "../support/start-test-gateway.js";

let test: TestGateway;
beforeAll(async () => {
  test = await startTestGateway({
    claude: { max_concurrent_sessions: 2, max_queued_requests: 4, pool_min_idle: 0 },
  });
});
afterAll(() => test.close());

async function round(clients: number): Promise<Map<number, number>> {
  const statuses = new Map<number, number>();
  let largest = 0;
  const watcher = setInterval(() => {
    largest = Math.max(largest, test.pool().processes);
  }, 10);
  try {
    await Promise.all(
      Array.from({ length: clients }, async (_, index) => {
        const stream = index % 2 === 0;
        const response = await test.post({
          model: "sonnet",
          stream,
          store: false,
          messages: [{ role: "user", content: `[[sleep:150]] client ${index}` }],
        });
        const text = await response.text();
        if (response.status === 429) expect(Number(response.headers.get("retry-after"))).toBeGreaterThan(0);
        else expect(text).toContain(`client ${index}`);
        statuses.set(response.status, (statuses.get(response.status) ?? 0) + 1);
      }),
    );
  } finally {
    clearInterval(watcher);
  }
  expect(largest).toBeLessThanOrEqual(2);
  return statuses;
}

it("answers or refuses with 429 every client beyond the pool, without growing or leaking", async () => {
  const heap: number[] = [];
  const pids = new Set<number>();
  for (let index = 0; index < 3; index++) {
    const statuses = await round(24);
    expect([...statuses.keys()].every((status) => status === 200 || status === 429)).toBe(true);
    expect(statuses.get(200) ?? 0).toBeGreaterThanOrEqual(6);
    expect(statuses.get(429) ?? 0).toBeGreaterThan(0);
    await poolSettled(test.pool);
    for (const member of test.pool().members) if (member.pid) pids.add(member.pid);
    heap.push(process.memoryUsage().heapUsed);
  }
  // Later rounds hold no more than the first (with slack for the collector's timing).
  expect((heap[2] ?? 0) - (heap[0] ?? 0)).toBeLessThan(64 * 1024 * 1024);
  expect(test.pool().processes).toBeLessThanOrEqual(2);
  expect(test.pool().queued).toBe(0);
  await test.gateway.close();
  await eventually(() => expect([...pids].filter(isRunning)).toEqual([]));
});
