/**
 * Faults the real CLI cannot be made to show, played by a scripted fake CLI: dying mid-turn,
 * hanging without answering even an interrupt, printing garbage, failing to boot. Each gets a
 * clear error, the gateway keeps serving, and no process is left behind.
 */
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { interruptGraceMs } from "../../src/pool/run-pooled-turn.js";
import { eventually } from "../support/eventually.js";
import { isRunning } from "../support/is-running.js";
import { startTestGateway, type TestGateway } from "../support/start-test-gateway.js";

const fakeClaude = fileURLToPath(new URL("../fixtures/fake-claude/fake-claude.mjs", import.meta.url));

describe("with a CLI that misbehaves", () => {
  let test: TestGateway;
  beforeAll(async () => {
    const state = mkdtempSync(join(tmpdir(), "ccapi-fake-state-"));
    test = await startTestGateway({
      command: fakeClaude,
      claude: { timeout_seconds: 1, pool_min_idle: 1 },
      extraEnvironment: { FAKE_CLAUDE_STATE: state },
    });
  });
  afterAll(() => test.close());

  it("retries once on a fresh process when the CLI dies before any output", async () => {
    const crashedBefore = test.pool().crashed;
    const response = await ask("die-once please");
    expect(response.status).toBe(200);
    expect(
      ((await response.json()) as { choices: Array<{ message: { content: string } }> }).choices[0]?.message.content,
    ).toBe("FAKE: die-once please");
    await eventually(() => expect(test.pool().crashed).toBe(crashedBefore + 1));
  });

  const ask = (content: string) => test.post({ model: "fake-model", messages: [{ role: "user", content }] });

  it("answers normally through the fake (sanity)", async () => {
    const response = await ask("hello");
    expect(response.status).toBe(200);
    expect(
      ((await response.json()) as { choices: Array<{ message: { content: string } }> }).choices[0]?.message.content,
    ).toBe("FAKE: hello");
  });

  it("maps a process that dies mid-turn to 502 and replaces it", async () => {
    const response = await ask("please crash");
    expect(response.status).toBe(502);
    expect(((await response.json()) as { error: { code: string } }).error.code).toBe("claude_process_failed");
    await eventually(() => expect(test.pool().crashed).toBeGreaterThanOrEqual(1));
    expect((await ask("next request")).status).toBe(200);
  });

  it("reports a crash after streaming began as data: {error}", async () => {
    const response = await test.post({
      model: "fake-model",
      stream: true,
      messages: [{ role: "user", content: "crash" }],
    });
    expect(response.status).toBe(200);
    const text = await response.text();
    expect(text).toContain("about to ");
    // The request id is in the error body, as in a JSON error.
    const requestId = response.headers.get("x-request-id");
    expect(text).toMatch(
      new RegExp(
        `data: \\{"error":\\{"message":"[^"]+","type":"server_error","param":null,"code":"claude_process_failed","request_id":"${requestId}"\\}\\}`,
      ),
    );
  });

  it(
    "kills a process that ignores the interrupt after the deadline and answers 504",
    async () => {
      const before = test.pool().members.map((member) => member.pid);
      const response = await ask("hang forever");
      expect(response.status).toBe(504);
      expect(((await response.json()) as { error: { code: string } }).error.code).toBe("timeout");
      // The hung process was killed, not returned to the pool.
      await eventually(() => expect(before.filter(isRunning).length).toBeLessThan(before.length));
      expect((await ask("request after the timeout")).status).toBe(200);
    },
    interruptGraceMs + 10_000,
  );

  it("ignores garbage lines on stdout and still answers", async () => {
    const response = await ask("print garbage");
    expect(response.status).toBe(200);
    expect(
      ((await response.json()) as { choices: Array<{ message: { content: string } }> }).choices[0]?.message.content,
    ).toBe("FAKE: survived garbage");
  });
});

describe("with a CLI that cannot boot", () => {
  let test: TestGateway;
  beforeAll(async () => {
    test = await startTestGateway({
      command: fakeClaude,
      claude: { pool_min_idle: 1 },
      extraEnvironment: { FAKE_CLAUDE_EXIT_AT_BOOT: "1" },
    });
  });
  afterAll(() => test.close());

  it("answers 503 claude_unavailable without a crash loop", async () => {
    const response = await test.post({ model: "fake-model", messages: [{ role: "user", content: "hi" }] });
    expect(response.status).toBe(503);
    const body = (await response.json()) as { error: { code: string; message: string } };
    expect(body.error.code).toBe("claude_unavailable");
    expect(body.error.message).not.toMatch(/\/tmp|fake-claude/);
    // Replenishing spares backs off instead of respawning a failing CLI in a tight loop.
    const spawned = test.pool().spawned;
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(test.pool().spawned - spawned).toBeLessThanOrEqual(1);
  });
});
