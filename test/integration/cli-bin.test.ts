/**
 * The `claude-code-api` bin as a user runs it: flags, the "listening on" line, configuration
 * errors, and shutdown — by signal, or by a hard kill that must not orphan CLI processes.
 */
import { once } from "node:events";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { type ClaudeTestEnvironment, createClaudeTestEnvironment } from "../support/claude-test-environment.js";
import { eventually } from "../support/eventually.js";
import { isRunning } from "../support/is-running.js";
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

  it("rejects a bad --port value", async () => {
    const bin = runBin(["--port", "eighty"]);
    const [code] = await once(bin.child, "exit");
    expect(code).not.toBe(0);
    expect(bin.output().stderr).toMatch(/--port/);
  });
});
