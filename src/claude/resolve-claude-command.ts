/**
 * Finds the CLI binary: the configured command, else `claude` on PATH, else the binary of the npm
 * dependency @anthropic-ai/claude-code, so a fresh `npm install` works without a global CLI.
 */
import { accessSync, constants, statSync } from "node:fs";
import { createRequire } from "node:module";
import { delimiter, dirname, isAbsolute, join, resolve } from "node:path";
import { ConfigurationError } from "../config/configuration-error.js";

function isExecutableFile(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return statSync(path).isFile();
  } catch {
    return false;
  }
}

function findOnPath(name: string, environment: NodeJS.ProcessEnv): string | undefined {
  for (const directory of (environment.PATH ?? "").split(delimiter)) {
    if (!directory) continue;
    const candidate = join(directory, name);
    if (isExecutableFile(candidate)) return candidate;
  }
  return undefined;
}

/**
 * The package's `bin/claude.exe` is a small stub until its postinstall links the native binary
 * into place; with install scripts disabled it stays a stub, but the platform package's binary
 * (an optional dependency) works when called directly.
 */
export function findBundledClaude(): string | undefined {
  const require = createRequire(import.meta.url);
  let packageDirectory: string;
  try {
    packageDirectory = dirname(require.resolve("@anthropic-ai/claude-code/package.json"));
  } catch {
    return undefined;
  }
  const linked = join(packageDirectory, "bin", "claude.exe");
  if (isExecutableFile(linked) && statSync(linked).size > 1_000_000) return linked;
  const platformPackage = `@anthropic-ai/claude-code-${process.platform}-${process.arch}`;
  try {
    const platformDirectory = dirname(
      createRequire(join(packageDirectory, "package.json")).resolve(`${platformPackage}/package.json`),
    );
    const binary = join(platformDirectory, process.platform === "win32" ? "claude.exe" : "claude");
    if (isExecutableFile(binary)) return binary;
  } catch {
    // no platform package for this machine
  }
  return undefined;
}

export function resolveClaudeCommand(configured: string | undefined, environment: NodeJS.ProcessEnv): string {
  if (configured !== undefined) {
    if (configured.includes("/")) {
      const path = isAbsolute(configured) ? configured : resolve(configured);
      if (isExecutableFile(path)) return path;
      throw new ConfigurationError(`claude.command: ${configured} is not an executable file`);
    }
    const found = findOnPath(configured, environment);
    if (found) return found;
    throw new ConfigurationError(`claude.command: ${configured} was not found on PATH`);
  }
  const found = findOnPath("claude", environment) ?? findBundledClaude();
  if (found) return found;
  throw new ConfigurationError(
    "claude.command: the Claude Code CLI was not found (no `claude` on PATH and no @anthropic-ai/claude-code package); " +
      "run `npm install` or set claude.command",
  );
}
