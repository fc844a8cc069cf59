/**
 * A web page must not drive a gateway it can reach — the keyless local one above all. What a page
 * can make a browser send, sent here with the headers a browser would put on it: a form post
 * (text/plain or urlencoded, no preflight), a request through a DNS-rebinding name (its own Host),
 * a cross-site fetch or WebSocket (its Origin). Each is refused before anything runs; the
 * gateway's own clients (JSON, loopback Host, no Origin or an allowed one) still work.
 */
import { request } from "node:http";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import WebSocket from "ws";
import { startTestGateway, type TestGateway } from "../support/start-test-gateway.js";

let test: TestGateway;
beforeAll(async () => {
  test = await startTestGateway({
    sessions: { enabled: true },
    server: { cors_origins: ["https://app.example"] },
    claude: { pool_min_idle: 0 },
  });
});
afterAll(() => test.close());

/** A raw request whose every header — Host included — is chosen here, as a browser would send it. */
function send(path: string, headers: Record<string, string>, body?: string): Promise<{ status: number; body: string }> {
  const { port } = new URL(test.url);
  return new Promise((resolve, reject) => {
    const outgoing = request(
      { host: "127.0.0.1", port, path, method: body === undefined ? "GET" : "POST", headers },
      (response) => {
        let text = "";
        response.on("data", (chunk) => {
          text += chunk;
        });
        response.on("end", () => resolve({ status: response.statusCode ?? 0, body: text }));
      },
    );
    outgoing.on("error", reject);
    outgoing.end(body);
  });
}

const local = () => `127.0.0.1:${new URL(test.url).port}`;
const completion = JSON.stringify({ model: "sonnet", messages: [{ role: "user", content: "drive me" }] });

describe("browsers", () => {
  it("refuses a form's body (text/plain, urlencoded) with 415 and runs nothing", async () => {
    const before = test.environment.mock.messageRequests().length;
    // <form enctype="text/plain"> with one field named like the JSON sends exactly this.
    const form = await send("/v1/chat/completions", { host: local(), "content-type": "text/plain" }, `${completion}=`);
    expect(form.status).toBe(415);
    expect(JSON.parse(form.body).error).toMatchObject({ code: "unsupported_media_type" });
    const encoded = await send(
      "/v1/sessions",
      { host: local(), "content-type": "application/x-www-form-urlencoded" },
      "model=sonnet",
    );
    expect(encoded.status).toBe(415);
    expect(await send("/v1/chat/completions", { host: local() }, completion)).toMatchObject({ status: 415 });
    expect(test.environment.mock.messageRequests().length).toBe(before);
    expect(test.gateway.services.sessions.count).toBe(0);
    // The gateway's own clients send JSON.
    const json = await send("/v1/chat/completions", { host: local(), "content-type": "application/json" }, completion);
    expect(json.status).toBe(200);
  });

  it("refuses a Host it does not serve (a DNS-rebinding page) with 421", async () => {
    for (const host of ["attacker.example", `attacker.example:${new URL(test.url).port}`, "127.0.0.1.nip.io"]) {
      const rebound = await send("/v1/models", { host });
      expect(rebound.status, host).toBe(421);
      expect(JSON.parse(rebound.body).error).toMatchObject({ code: "host_not_allowed" });
    }
    for (const host of [local(), `localhost:${new URL(test.url).port}`, "127.0.0.1"]) {
      expect((await send("/v1/models", { host })).status, host).toBe(200);
    }
  });

  it("refuses a cross-site Origin with 403, serves its own origin and the configured ones", async () => {
    const evil = await send(
      "/v1/chat/completions",
      { host: local(), origin: "https://evil.example", "content-type": "application/json" },
      completion,
    );
    expect(evil.status).toBe(403);
    expect(JSON.parse(evil.body).error).toMatchObject({ type: "permission_error", code: "origin_not_allowed" });
    expect((await send("/v1/models", { host: local(), origin: `http://${local()}` })).status).toBe(200);
    expect((await send("/v1/models", { host: local(), origin: "https://app.example" })).status).toBe(200);
  });

  it("opens a session's WebSocket only for an allowed Origin and Host", async () => {
    const created = await send("/v1/sessions", { host: local(), "content-type": "application/json" }, "{}");
    expect(created.status).toBe(201);
    const { ws_url: url } = JSON.parse(created.body) as { ws_url: string };
    const status = (headers: Record<string, string>) =>
      new Promise<number>((resolve, reject) => {
        const socket = new WebSocket(url, { headers });
        socket.once("unexpected-response", (_request, response) => resolve(response.statusCode ?? 0));
        socket.once("open", () => {
          socket.close();
          resolve(101);
        });
        socket.once("error", reject);
      });
    expect(await status({ origin: "https://evil.example" })).toBe(403);
    expect(await status({ host: "attacker.example" })).toBe(421);
    expect(await status({ origin: "https://app.example" })).toBe(101);
    expect(await status({})).toBe(101);
    // A malformed session id is no session (and no crash).
    const broken = await new Promise<number>((resolve, reject) => {
      const socket = new WebSocket(`${test.url.replace("http", "ws")}/ws/session/%ZZ`);
      socket.once("unexpected-response", (_request, response) => resolve(response.statusCode ?? 0));
      socket.once("error", reject);
    });
    expect(broken).toBe(404);
    expect((await send("/v1/models", { host: local() })).status).toBe(200);
  });
});
