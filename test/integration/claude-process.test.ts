/** The stdio driver against the REAL claude binary and the project's mock Anthropic API. */
import { existsSync } from "node:fs";
import { join } from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import type { ClaudeProcess } from "../../src/claude/claude-process.js";
import type { ResultLine, TurnLine } from "../../src/claude/protocol.js";
import { type ClaudeTestEnvironment, createClaudeTestEnvironment } from "../support/claude-test-environment.js";

let environment: ClaudeTestEnvironment;
const processes: ClaudeProcess[] = [];

beforeAll(async () => {
  environment = await createClaudeTestEnvironment();
});
afterEach(async () => {
  await Promise.all(processes.splice(0).map((process) => process.close()));
});
afterAll(() => environment.close());

function startProcess(extraArgs: string[] = []): ClaudeProcess {
  const process = environment.startProcess(extraArgs);
  processes.push(process);
  return process;
}

async function collect(lines: AsyncIterable<TurnLine>): Promise<TurnLine[]> {
  const all: TurnLine[] = [];
  for await (const line of lines) all.push(line);
  return all;
}

function lastUserText(requestIndex: number): string {
  const messages = environment.mock.messageRequests()[requestIndex]?.body.messages ?? [];
  return JSON.stringify(messages);
}

describe("ClaudeProcess with the real CLI", () => {
  it("boots, takes its system prompt at initialize, and streams a turn that ends with its result", async () => {
    const process = startProcess();
    const settings = (await process.sendControlRequest({ subtype: "get_settings" })) as {
      applied?: { model?: string };
    };
    expect(typeof settings.applied?.model).toBe("string");
    await process.sendControlRequest({ subtype: "initialize", systemPrompt: "You are the driver test." });

    const before = environment.mock.messageRequests().length;
    const lines = await collect(process.startTurn("hello driver"));
    const types = lines.map((line) => line.type);
    expect(types[0]).toBe("system");
    expect(types).toContain("stream_event");
    expect(types).toContain("assistant");
    expect(types.at(-1)).toBe("result");
    const result = lines.at(-1) as ResultLine;
    expect(result.is_error).toBe(false);
    expect(result.result).toBe("ECHO: hello driver");
    expect(process.isBusy).toBe(false);

    const request = environment.mock.messageRequests()[before];
    expect(JSON.stringify(request?.body.system)).toContain("You are the driver test.");
  });

  it("forgets the conversation after /clear and stays usable", async () => {
    const process = startProcess();
    await process.sendControlRequest({ subtype: "initialize" });
    await process.runQuietTurn("remember the word PINEAPPLE");
    const cleared = await process.runQuietTurn("/clear");
    expect(cleared.is_error).toBe(false);
    const before = environment.mock.messageRequests().length;
    const result = await process.runQuietTurn("what was the word?");
    expect(result.result).toBe("ECHO: what was the word?");
    expect(lastUserText(before)).not.toContain("PINEAPPLE");
  });

  it("interrupts a running turn, which ends with error_during_execution, and the process stays usable", async () => {
    const process = startProcess();
    await process.sendControlRequest({ subtype: "initialize" });
    const turn = process.startTurn("[[slow:50:100]]");
    for await (const line of turn) {
      if (line.type === "stream_event" && line.event.type === "content_block_delta") break;
    }
    await process.interrupt();
    const result = await turn.result;
    expect(result.subtype).toBe("error_during_execution");
    expect((await process.runQuietTurn("still there?")).result).toBe("ECHO: still there?");
  });

  it("refuses a second concurrent turn instead of letting the CLI merge them", async () => {
    const process = startProcess();
    await process.sendControlRequest({ subtype: "initialize" });
    const first = process.startTurn("[[slow:3:50]]");
    expect(() => process.startTurn("second")).toThrow(/already running/);
    await first.result;
  });

  it("answers CLI→host requests: a registered handler decides, an unknown kind gets an error (denied)", async () => {
    const allowedPath = join(environment.workspace, "allowed.txt");
    const deniedPath = join(environment.workspace, "denied.txt");

    const withHandler = startProcess(["--permission-prompt-tool", "stdio"]);
    const asked: string[] = [];
    withHandler.handleRequests("can_use_tool", (request) => {
      asked.push(String(request.tool_name));
      return { behavior: "allow", updatedInput: request.input };
    });
    await withHandler.sendControlRequest({ subtype: "initialize" });
    const allowed = await withHandler.runQuietTurn(
      `[[tool:Write {"file_path":${JSON.stringify(allowedPath)},"content":"yes"}]]`,
    );
    expect(allowed.is_error).toBe(false);
    expect(asked).toEqual(["Write"]);
    expect(existsSync(allowedPath)).toBe(true);

    const withoutHandler = startProcess(["--permission-prompt-tool", "stdio"]);
    await withoutHandler.sendControlRequest({ subtype: "initialize" });
    const denied = await withoutHandler.runQuietTurn(
      `[[tool:Write {"file_path":${JSON.stringify(deniedPath)},"content":"no"}]]`,
    );
    expect(denied.is_error).toBe(false);
    expect(existsSync(deniedPath)).toBe(false);
    expect(denied.result).toContain("Unsupported control request subtype: can_use_tool");
  });

  it("exits cleanly when its stdin closes, rejecting nothing still pending", async () => {
    const process = startProcess();
    await process.sendControlRequest({ subtype: "initialize" });
    const exit = await process.close();
    expect(exit.code).toBe(0);
    expect(process.isAlive).toBe(false);
    expect(() => process.startTurn("too late")).toThrow(/exited/);
  });
});
