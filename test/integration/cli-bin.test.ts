/**
 * The `claude-code-api` bin as a user runs it: flags, the "listening on" line, configuration
 * errors, and shutdown — by signal, or by a hard kill that must not orphan CLI processes.
 */
import { once } from "node:events";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { type ClaudeTestEnvironment, createClaudeTestEnvironment } from "../support/claude-test-environment.js";
import { eventually } from "../support/eventually.js";
import { isRunning } from "../support/is-running.js";
import { openConnection, requestOnce } from "../support/raw-connection.js";
import { runBin as runBinIn, stopBins } from "../support/run-bin.js";

let environment: ClaudeTestEnvironment;
beforeAll(async () => {
  environment = await createClaudeTestEnvironment();
});
afterEach(stopBins);
afterAll(() => environment.close());

const runBin = (args: string[], extraEnvironment: NodeJS.ProcessEnv = {}) =>
  runBinIn(environment, args, extraEnvironment);

async function cliPids(url: string): Promise<number[]> {
  const ready = (await (await fetch(`${url}/health/ready`)).json()) as { pool: { members: Array<{ pid: number }> } };
  return ready.pool.members.map((member) => member.pid);
}

describe("claude-code-api bin", () => {
  it("takes a free port with --port 0, prints the real one, serves, and exits 0 on SIGTERM leaving no process", async () => {
    const bin = runBin(["--port", "0", "--host", "127.0.0.1"]);
    const url = await bin.listening;
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(url).not.toMatch(/:0$/);
    const response = await fetch(`${url}/v1/chat/completions`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ model: "sonnet", messages: [{ role: "user", content: "via the bin" }] }),
    });
    expect(
      ((await response.json()) as { choices: Array<{ message: { content: string } }> }).choices[0]?.message.content,
    ).toBe("ECHO: via the bin");
    const pids = await cliPids(url);
    expect(pids.length).toBeGreaterThan(0);

    bin.child.kill("SIGTERM");
    const [code] = await once(bin.child, "exit");
    expect(code).toBe(0);
    for (const pid of pids) expect(isRunning(pid)).toBe(false);
  });

  it("on SIGTERM lets answers in flight finish within the grace period, refuses new ones, then exits 0", async () => {
    const bin = runBin(["--port", "0"], { CLAUDE_CODE__SERVER__SHUTDOWN_GRACE_SECONDS: "10" });
    const url = await bin.listening;
    const post = (content: string, stream = true) =>
      fetch(`${url}/v1/chat/completions`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ model: "sonnet", stream, messages: [{ role: "user", content }] }),
      });
    const inFlight = await post("[[slow:8:150]] a long answer");
    const reader = inFlight.body?.getReader();
    await reader?.read(); // the answer has started
    const pids = await cliPids(url);
    const port = Number(new URL(url).port);
    const open = await openConnection(port);
    bin.child.kill("SIGTERM");
    // Once it has begun to shut down: a new connection is refused; a request on one already open
    // gets 503 shutting_down.
    await eventually(() => expect(bin.output().stderr).toContain("shutting down"));
    const refused = await requestOnce(`${url}/health/ready`).catch((error: { code?: string }) => error);
    expect(refused).toMatchObject({ code: "ECONNREFUSED" });
    open.socket.write("GET /health/ready HTTP/1.1\r\nhost: 127.0.0.1\r\n\r\n");
    await eventually(() => expect(open.text()).toMatch(/^HTTP\/1\.1 503 [\s\S]*shutting_down/));
    open.socket.destroy();
    let text = "";
    for (;;) {
      const chunk = await reader?.read();
      if (!chunk || chunk.done) break;
      text += new TextDecoder().decode(chunk.value);
    }
    expect(text).toContain("w8 ");
    expect(text).toContain("data: [DONE]");
    const [code] = await once(bin.child, "exit");
    expect(code).toBe(0);
    for (const pid of pids) expect(isRunning(pid)).toBe(false);
  });

  it("cuts what is still running when the grace period ends", async () => {
    const bin = runBin(["--port", "0"], { CLAUDE_CODE__SERVER__SHUTDOWN_GRACE_SECONDS: "0.3" });
    const url = await bin.listening;
    const response = await fetch(`${url}/v1/chat/completions`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({
        model: "sonnet",
        stream: true,
        messages: [{ role: "user", content: "[[slow:50:200]] endless" }],
      }),
    });
    const reader = response.body?.getReader();
    await reader?.read();
    const pids = await cliPids(url);
    const started = Date.now();
    bin.child.kill("SIGTERM");
    const [code] = await once(bin.child, "exit");
    expect(code).toBe(0);
    expect(Date.now() - started).toBeLessThan(8_000);
    await eventually(() => expect(pids.filter(isRunning)).toEqual([]));
  });

  it("logs JSON lines on stderr carrying the request id, never the key", async () => {
    const key = "logged-key-0123456789";
    const bin = runBin(["--port", "0"], { LOG_LEVEL: "debug", CLAUDE_CODE__AUTH__API_KEYS: JSON.stringify([key]) });
    const url = await bin.listening;
    const response = await fetch(`${url}/v1/models/none`, {
      headers: { authorization: `Bearer ${key}`, "x-request-id": "trace-99" },
    });
    expect(response.status).toBe(404);
    await eventually(() => expect(bin.output().stderr).toContain('"requestId":"trace-99"'));
    const lines = bin
      .output()
      .stderr.split("\n")
      .filter((line) => line.startsWith("{"));
    expect(lines.length).toBeGreaterThan(0);
    for (const line of lines) expect(() => JSON.parse(line)).not.toThrow();
    expect(bin.output().stderr).not.toContain(key);
    bin.child.kill("SIGTERM");
    await once(bin.child, "exit");
  });

  it("leaves no CLI process behind even when the gateway is killed outright", async () => {
    const bin = runBin(["--port", "0"]);
    const url = await bin.listening;
    await eventually(async () => expect((await cliPids(url)).length).toBeGreaterThan(0));
    const pids = await cliPids(url);
    bin.child.kill("SIGKILL");
    await once(bin.child, "exit");
    // Their stdin pipe closed with the gateway; the CLI exits on EOF.
    await eventually(() => expect(pids.filter(isRunning)).toEqual([]));
  });

  it("stops with a message naming the key when the configuration is invalid", async () => {
    const bin = runBin(["--port", "0"], { CLAUDE_CODE__CLAUDE__TIMEOUT_SECONDS: "soon" });
    const [code] = await once(bin.child, "exit");
    expect(code).toBe(2);
    expect(bin.output().stderr).toMatch(/claude\.timeout_seconds/);
  });

  it("refuses to start on a non-loopback address without API keys, naming server.host", async () => {
    const bin = runBin(["--port", "0", "--host", "0.0.0.0"]);
    const [code] = await once(bin.child, "exit");
    expect(code).toBe(2);
    expect(bin.output().stderr).toMatch(/server\.host: 0\.0\.0\.0 is not a loopback address/);
  });

  it("rejects a bad --port value", async () => {
    const bin = runBin(["--port", "eighty"]);
    const [code] = await once(bin.child, "exit");
    expect(code).not.toBe(0);
    expect(bin.output().stderr).toMatch(/--port/);
  });
});
