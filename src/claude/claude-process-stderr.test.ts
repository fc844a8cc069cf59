/** What the CLI writes to stderr (e.g. `--debug mcp` with mcp.debug) reaches the gateway's log at debug level. */
import { tmpdir } from "node:os";
import { expect, it, vi } from "vitest";
import { capturedLogger, logLevels } from "../../test/support/captured-logger.js";
import { ClaudeProcess } from "./claude-process.js";

it("logs the process's stderr at debug level and keeps its tail for a crash's error", async () => {
  const { logger, lines } = capturedLogger();
  const process_ = new ClaudeProcess({
    command: process.execPath,
    args: ["-e", "process.stderr.write('[DEBUG] MCP server \"client\": connected\\n')"],
    cwd: tmpdir(),
    env: { PATH: process.env.PATH },
    logger,
  });
  await process_.exited;
  // stderr may still be draining when "exit" comes.
  const line = await vi.waitFor(() => {
    const found = lines.find((entry) => entry.msg === "CLI stderr");
    expect(found).toBeDefined();
    return found;
  });
  expect(line?.level).toBe(logLevels.debug);
  expect(line?.stderr).toContain('MCP server "client": connected');
  expect(process_.stderr).toContain("connected");
});
