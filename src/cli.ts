#!/usr/bin/env node
/** The bin: `claude-code-api [--host H] [--port P] [--config FILE]` (alias `ccapi`), `--version`, `--help`. */
import { resolve } from "node:path";
import { Command, InvalidArgumentError } from "commander";
import { ConfigurationError } from "./config/configuration-error.js";
import { loadConfiguration } from "./config/load-configuration.js";
import { packageVersion } from "./package-version.js";
import { startGateway } from "./start-gateway.js";

function parsePort(value: string): number {
  const port = Number(value);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new InvalidArgumentError("expected a port, 0-65535");
  return port;
}

const program = new Command()
  .name("claude-code-api")
  .description("OpenAI-compatible HTTP API gateway for the Claude Code CLI")
  .version(packageVersion())
  .option("--host <host>", "address to listen on (server.host)")
  .option("--port <port>", "port to listen on, 0 for a free one (server.port)", parsePort)
  .option("--config <file>", "a TOML configuration file")
  .parse();

const flags = program.opts<{ host?: string; port?: number; config?: string }>();

try {
  const configuration = loadConfiguration({
    configFile: flags.config,
    flags: { server: { host: flags.host, port: flags.port } },
  });
  const gateway = await startGateway({
    configuration,
    protectedPaths: flags.config ? [resolve(flags.config)] : [],
  });
  process.stdout.write(`claude-code-api listening on ${gateway.url}\n`);

  let stopping = false;
  const stop = (signal: NodeJS.Signals) => {
    if (stopping) return;
    stopping = true;
    process.stderr.write(`claude-code-api: ${signal}, shutting down\n`);
    void gateway.close().then(() => process.exit(0));
  };
  process.on("SIGTERM", stop);
  process.on("SIGINT", stop);
} catch (error) {
  if (error instanceof ConfigurationError) {
    process.stderr.write(`claude-code-api: ${error.message}\n`);
    process.exit(2);
  }
  throw error;
}
