import { chmodSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { ConfigurationError } from "../config/configuration-error.js";
import { findBundledClaude, resolveClaudeCommand } from "./resolve-claude-command.js";

const directory = mkdtempSync(join(tmpdir(), "ccapi-command-"));
const onPath = join(directory, "claude");
writeFileSync(onPath, "#!/bin/sh\n");
chmodSync(onPath, 0o755);
const notExecutable = join(directory, "plain-file");
writeFileSync(notExecutable, "");
afterAll(() => rmSync(directory, { recursive: true, force: true }));

describe("resolveClaudeCommand", () => {
  it("uses a configured path, or looks a configured name up on PATH", () => {
    expect(resolveClaudeCommand(onPath, {})).toBe(onPath);
    expect(resolveClaudeCommand("claude", { PATH: directory })).toBe(onPath);
  });

  it("prefers claude on PATH, else the npm dependency's native binary", () => {
    expect(resolveClaudeCommand(undefined, { PATH: directory })).toBe(onPath);
    const bundled = resolveClaudeCommand(undefined, { PATH: "/nonexistent" });
    expect(bundled).toBe(findBundledClaude());
    expect(bundled).toMatch(/@anthropic-ai\/claude-code/);
  });

  it("stops with a configuration error naming claude.command", () => {
    expect(() => resolveClaudeCommand(notExecutable, {})).toThrow(ConfigurationError);
    expect(() => resolveClaudeCommand("no-such-claude", { PATH: directory })).toThrow(/claude\.command/);
  });
});
