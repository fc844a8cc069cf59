/**
 * Structured JSON logs on stderr (stdout is left for the "listening on" line). Level from
 * LOG_LEVEL; credentials that could reach a log line are redacted.
 */
import { pino } from "pino";

export type Logger = pino.Logger;

export function createLogger(environment: NodeJS.ProcessEnv = process.env): Logger {
  return pino(
    {
      level: environment.LOG_LEVEL ?? "info",
      base: { service: "claude-code-api" },
      redact: {
        paths: ["authorization", "headers.authorization", "headers['x-api-key']", "*.apiKey", "*.api_key"],
        censor: "[redacted]",
      },
    },
    pino.destination({ fd: 2, sync: false }),
  );
}

/** For tests and tools that want no log output. */
export function silentLogger(): Logger {
  return pino({ level: "silent" });
}
