/**
 * The gateway behind a real nginx running deploy/nginx.conf itself (rendered by nginx-site.ts):
 * nginx terminates TLS; a streamed answer arrives token by token; a live session's ws_url is
 * wss://<public host>/… and its WebSocket works through the proxy. X-Forwarded-* are believed from
 * a trusted proxy only, and the forwarded host must be an allowed one. One gateway instance: the
 * round robin sends a session's requests to any instance, and the forwarding between instances
 * that makes that work is a cluster test's subject.
 */
import { request } from "node:https";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { nginxSite } from "../support/nginx-site.js";
import { connectSession } from "../support/session-client.js";
import { freePort, prepareNginx, type RunningNginx, startNginx } from "../support/start-nginx.js";
import { startTestGateway, type TestGateway, type TestGatewayOptions } from "../support/start-test-gateway.js";

const key = "deploy-key-0001";
const behindProxy: TestGatewayOptions = {
  claude: { pool_min_idle: 0 },
  sessions: { enabled: true },
  server: { trusted_proxies: ["127.0.0.1"], allowed_hosts: ["localhost"] },
  auth: { keys: [{ name: "deployer", key, grants: ["sessions"], max_processes: 8 }] },
};

let gateway: TestGateway | undefined;
let nginx: RunningNginx | undefined;
let tlsPort = 0;
let httpPort = 0;

beforeAll(async () => {
  // First: without nginx (or openssl) this fails with the package to install.
  const prepared = prepareNginx();
  gateway = await startTestGateway(behindProxy);
  [tlsPort, httpPort] = [await freePort(), await freePort()];
  const site = nginxSite({
    gatewayPorts: [gateway.gateway.port],
    tlsPort,
    httpPort,
    certificate: prepared.certificate,
  });
  nginx = await startNginx(prepared, site);
}, 120_000);

afterAll(async () => {
  await nginx?.close();
  await gateway?.close();
});

interface Received {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  /** Each piece of the body as it arrived, with when (ms since the request was sent). */
  pieces: Array<{ at: number; text: string }>;
  body: string;
}

/** A request to nginx over TLS, as a client of https://localhost:<port> would send it. */
function viaNginx(method: string, path: string, body?: unknown): Promise<Received> {
  const started = Date.now();
  return new Promise((resolve, reject) => {
    const outgoing = request(
      {
        hostname: "127.0.0.1",
        port: tlsPort,
        path,
        method,
        ca: nginx?.certificate.pem,
        agent: false,
        headers: {
          host: `localhost:${tlsPort}`,
          authorization: `Bearer ${key}`,
          ...(body === undefined ? {} : { "content-type": "application/json" }),
        },
      },
      (response) => {
        const pieces: Received["pieces"] = [];
        response.setEncoding("utf8");
        response.on("data", (text: string) => pieces.push({ at: Date.now() - started, text }));
        response.on("end", () =>
          resolve({
            status: response.statusCode ?? 0,
            headers: response.headers,
            pieces,
            body: pieces.map((piece) => piece.text).join(""),
          }),
        );
        response.on("error", reject);
      },
    );
    outgoing.on("error", reject);
    outgoing.end(body === undefined ? undefined : JSON.stringify(body));
  });
}

async function createSession(): Promise<{ id: string; ws_url: string }> {
  const created = await viaNginx("POST", "/v1/sessions", {});
  expect(created.status, created.body).toBe(201);
  return JSON.parse(created.body) as { id: string; ws_url: string };
}

async function deleteSession(id: string): Promise<void> {
  expect((await viaNginx("DELETE", `/v1/sessions/${id}`)).status).toBe(200);
}

describe("behind nginx (deploy/nginx.conf)", () => {
  it("passes a streamed answer on token by token, over TLS", async () => {
    const streamed = await viaNginx("POST", "/v1/chat/completions", {
      model: "sonnet",
      stream: true,
      messages: [{ role: "user", content: "[[slow:5:200]] go" }],
    });
    expect(streamed.status).toBe(200);
    expect(streamed.headers["content-type"]).toBe("text/event-stream; charset=utf-8");
    expect(streamed.body).toContain("data: [DONE]");
    // When each of the five words (200 ms apart at the mock) had arrived: spread out, not at once.
    const arrivals = [1, 2, 3, 4, 5].map((word) => {
      const offset = streamed.body.indexOf(`w${word}`);
      let end = 0;
      const piece = streamed.pieces.find(({ text }) => {
        end += text.length;
        return end > offset;
      });
      return piece?.at ?? Number.NaN;
    });
    expect(new Set(arrivals).size, `arrivals ${arrivals.join(", ")} ms`).toBe(5);
    expect((arrivals[4] ?? 0) - (arrivals[0] ?? 0), `arrivals ${arrivals.join(", ")} ms`).toBeGreaterThanOrEqual(600);
  });

  it("redirects plain http to https", async () => {
    const response = await fetch(`http://127.0.0.1:${httpPort}/v1/models`, { redirect: "manual" });
    expect(response.status).toBe(301);
    expect(response.headers.get("location")).toBe("https://127.0.0.1/v1/models");
  });

  it("gives a live session a wss:// URL with the public host, and its WebSocket works through nginx", async () => {
    const session = await createSession();
    expect(session.ws_url).toBe(`wss://localhost:${tlsPort}/ws/session/${session.id}`);
    const client = await connectSession(
      session.ws_url,
      { authorization: `Bearer ${key}` },
      { ca: nginx?.certificate.pem, family: 4 },
    );
    await client.waitFor((message) => message.type === "session_init");
    client.send({ type: "user_message", content: "hello through nginx" });
    const result = await client.waitFor((message) => message.type === "result");
    expect(result.result).toBe("ECHO: hello through nginx");
    expect(client.messages.map((message) => message.type)).toContain("stream_event");
    await client.close();
    await deleteSession(session.id);
  });

  it("passes a session's WebSocket on with the key in the query, as browsers send it", async () => {
    const session = await createSession();
    const client = await connectSession(
      `${session.ws_url}?api_key=${key}`,
      {},
      { ca: nginx?.certificate.pem, family: 4 },
    );
    await client.waitFor((message) => message.type === "session_init");
    await client.close();
    await deleteSession(session.id);
  });

  it("believes X-Forwarded-* from the trusted proxy, and checks the forwarded host", async () => {
    const create = (headers: Record<string, string>) =>
      fetch(`${gateway?.url}/v1/sessions`, {
        method: "POST",
        headers: { authorization: `Bearer ${key}`, "content-type": "application/json", ...headers },
        body: "{}",
      });
    // This test's own connections come from 127.0.0.1, the trusted proxy's address.
    const forwarded = await create({ "x-forwarded-proto": "https", "x-forwarded-host": "localhost:4443" });
    expect(forwarded.status).toBe(201);
    const session = (await forwarded.json()) as { id: string; ws_url: string };
    expect(session.ws_url).toBe(`wss://localhost:4443/ws/session/${session.id}`);
    await fetch(`${gateway?.url}/v1/sessions/${session.id}`, {
      method: "DELETE",
      headers: { authorization: `Bearer ${key}` },
    });
    const elsewhere = await create({ "x-forwarded-proto": "https", "x-forwarded-host": "evil.example" });
    expect(elsewhere.status).toBe(421);
    expect(((await elsewhere.json()) as { error: { code: string } }).error.code).toBe("host_not_allowed");
  });

  it("ignores X-Forwarded-* without server.trusted_proxies", async () => {
    const direct = await startTestGateway({ claude: { pool_min_idle: 0 }, sessions: { enabled: true } });
    try {
      const response = await fetch(`${direct.url}/v1/sessions`, {
        method: "POST",
        headers: {
          "content-type": "application/json",
          "x-forwarded-proto": "https",
          "x-forwarded-host": "evil.example",
        },
        body: "{}",
      });
      expect(response.status).toBe(201);
      const session = (await response.json()) as { id: string; ws_url: string };
      expect(session.ws_url).toBe(`${direct.url.replace("http", "ws")}/ws/session/${session.id}`);
    } finally {
      await direct.close();
    }
  });
});
