/**
 * runCodex against a scripted Responses server (not the gateway): the Codex binary that `npm ci`
 * installed runs offline as CI runs it, makes a function-call round trip through its read-only
 * sandbox, and is ended by its own pid when the server never answers.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { runCodex } from "./run-codex.js";
import {
  assistantMessage,
  functionCall,
  type ScriptedResponsesServer,
  startScriptedResponsesServer,
} from "./scripted-responses-server.js";

describe("runCodex", () => {
  let workdir: string;
  let server: ScriptedResponsesServer | undefined;

  beforeEach(() => {
    workdir = mkdtempSync(join(tmpdir(), "ccapi-codex-work-"));
  });
  afterEach(async () => {
    await server?.close();
    server = undefined;
    rmSync(workdir, { recursive: true, force: true });
  });

  it("runs a function-call round trip offline and returns the last message", async () => {
    server = await startScriptedResponsesServer([
      [functionCall("fc_1", "call_1", "exec_command", { cmd: "echo hi" })],
      [assistantMessage("msg_2", "It printed hi.")],
    ]);
    const run = await runCodex({
      baseUrl: server.baseUrl,
      apiKey: "sk-test",
      model: "sonnet",
      prompt: "run echo hi",
      workdir,
    });
    expect(run, run.stderr).toMatchObject({ exitCode: 0, timedOut: false, lastMessage: "It printed hi." });
    expect(server.requests).toHaveLength(2);
    const [first, second] = server.requests;
    expect(first?.headers.authorization).toBe("Bearer sk-test");
    expect(second?.body).toMatchObject({ model: "sonnet", stream: true, store: false });
    expect(second?.body).not.toHaveProperty("previous_response_id");
    const input = second?.body.input as Record<string, unknown>[];
    expect(input.slice(-2)).toEqual([
      {
        type: "function_call",
        status: "completed",
        id: "fc_1",
        name: "exec_command",
        arguments: '{"cmd":"echo hi"}',
        call_id: "call_1",
      },
      {
        type: "function_call_output",
        id: expect.stringMatching(/^fco_/),
        call_id: "call_1",
        output: expect.any(String),
      },
    ]);
    // The command ran in the sandbox: its output, exit code 0, is what Codex sent back.
    expect(input.at(-1)?.output).toMatch(/Process exited with code 0\n[\s\S]*Output:\nhi\n$/);
  });

  it("ends Codex by its pid when the server never answers", async () => {
    server = await startScriptedResponsesServer([() => {}]);
    const started = Date.now();
    const run = await runCodex({
      baseUrl: server.baseUrl,
      apiKey: "sk-test",
      model: "sonnet",
      prompt: "hello",
      workdir,
      timeoutMs: 3_000,
    });
    expect(run).toMatchObject({ timedOut: true, signal: "SIGTERM" });
    expect(Date.now() - started).toBeLessThan(10_000);
    expect(run.lastMessage ?? "").toBe("");
  });
});
