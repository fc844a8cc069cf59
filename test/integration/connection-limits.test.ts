/**
 * server.max_connections_per_address and server.max_connections: a connection past a cap gets
 * `503 too_many_connections` with `connection: close` at its first request and is closed; other
 * addresses still get in until the total is reached; a WebSocket holds its connection's place for
 * as long as it is open; and once a connection closes, its address is served again.
 *
 * Requests here use a connection each (no keep-alive), from chosen loopback addresses (Linux
 * routes all of 127/8 to loopback), so the counts are the test's own.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import WebSocket from "ws";
import { eventually } from "../support/eventually.js";
import { openConnection, type RawConnection, requestOnce } from "../support/raw-connection.js";
import { startTestGateway, type TestGateway } from "../support/start-test-gateway.js";

let test: TestGateway;
let port: number;
beforeAll(async () => {
  test = await startTestGateway({
    server: { max_connections: 3, max_connections_per_address: 2 },
    claude: { pool_min_idle: 0 },
    sessions: { enabled: true },
  });
  port = Number(new URL(test.url).port);
});
afterAll(() => test.close());

const health = (localAddress: string) => requestOnce(`${test.url}/health`, { localAddress });

async function closeAll(connections: RawConnection[]) {
  for (const connection of connections) connection.socket.destroy();
  await Promise.all(connections.map((connection) => connection.closed));
}

describe("connection caps", () => {
  it("refuses an address past its cap with 503 while others get in, up to the total", async () => {
    const held = [await openConnection(port, "127.0.0.1"), await openConnection(port, "127.0.0.1")];
    try {
      const refused = await health("127.0.0.1");
      expect(refused.status).toBe(503);
      expect(refused.headers.connection).toBe("close");
      expect(refused.headers["retry-after"]).toBe("1");
      expect(JSON.parse(refused.body)).toMatchObject({
        error: { type: "server_error", code: "too_many_connections", param: null },
      });
      expect(JSON.parse(refused.body).error.message).toContain("server.max_connections_per_address");
      // An Anthropic client hears it as Anthropic's overload.
      const anthropic = await requestOnce(`${test.url}/v1/messages`, {
        method: "POST",
        body: {},
        localAddress: "127.0.0.1",
      });
      expect(anthropic.status).toBe(529);
      expect(JSON.parse(anthropic.body)).toMatchObject({ type: "error", error: { type: "overloaded_error" } });

      // Another address still gets in: the third connection of three.
      held.push(await openConnection(port, "127.0.0.2"));
      held[2]?.socket.write("GET /health HTTP/1.1\r\nhost: 127.0.0.1\r\n\r\n");
      await eventually(() => expect(held[2]?.text()).toMatch(/^HTTP\/1\.1 200 /));
      // Past the total, every address is refused.
      const full = await health("127.0.0.3");
      expect(full.status).toBe(503);
      expect(JSON.parse(full.body).error.message).toContain("server.max_connections)");
    } finally {
      await closeAll(held);
    }
    // Their places are free again, once the gateway has seen them close.
    await eventually(async () => expect((await health("127.0.0.1")).status).toBe(200));
    await eventually(async () => expect((await health("127.0.0.3")).status).toBe(200));
  });

  it("closes a refused connection that sends nothing within a second", async () => {
    const held = [await openConnection(port, "127.0.0.4"), await openConnection(port, "127.0.0.4")];
    try {
      const silent = await openConnection(port, "127.0.0.4");
      const openMs = await silent.closed;
      expect(openMs).toBeLessThan(5_000);
      expect(silent.text()).toBe("");
    } finally {
      await closeAll(held);
    }
  });

  it("drops connections at accept past twice the total, so refused ones cannot pile up", async () => {
    const addresses = ["127.0.0.5", "127.0.0.6", "127.0.0.7", "127.0.0.8", "127.0.0.9", "127.0.0.10"];
    const held = await Promise.all(addresses.map((address) => openConnection(port, address))); // 3 served, 3 refused
    try {
      const dropped = await openConnection(port, "127.0.0.11");
      // Closed at accept, before the second a refused connection lingers.
      expect(await dropped.closed).toBeLessThan(900);
      expect(dropped.text()).toBe("");
    } finally {
      await closeAll(held);
    }
  });

  it("counts an open WebSocket, refuses an upgrade past the cap, and frees the place when it closes", async () => {
    const created = await requestOnce(`${test.url}/v1/sessions`, { method: "POST", body: {} });
    expect(created.status).toBe(201);
    const session = JSON.parse(created.body) as { id: string; ws_url: string };
    const socket = new WebSocket(session.ws_url, { localAddress: "127.0.0.5" });
    await new Promise((resolve, reject) => {
      socket.once("open", resolve);
      socket.once("error", reject);
    });
    const held = await openConnection(port, "127.0.0.5");
    try {
      // The WebSocket and the bare connection fill 127.0.0.5's two places.
      expect((await health("127.0.0.5")).status).toBe(503);
      const refusedUpgrade = new WebSocket(session.ws_url, { localAddress: "127.0.0.5" });
      const status = await new Promise<number | undefined>((resolve) => {
        refusedUpgrade.once("unexpected-response", (_request, response) => resolve(response.statusCode));
        refusedUpgrade.once("open", () => resolve(101));
        refusedUpgrade.once("error", () => resolve(undefined));
      });
      refusedUpgrade.terminate();
      expect(status).toBe(503);

      socket.close();
      await new Promise((resolve) => socket.once("close", resolve));
      await eventually(async () => expect((await health("127.0.0.5")).status).toBe(200));
    } finally {
      socket.terminate();
      await closeAll([held]);
      await requestOnce(`${test.url}/v1/sessions/${session.id}`, { method: "DELETE" });
    }
  });
});
