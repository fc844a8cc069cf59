/**
 * Structured JSON logs on stderr (stdout is left for the "listening on" line), readable lines
 * instead when stderr is a terminal (LOG_FORMAT=json keeps JSON there too). Level from LOG_LEVEL;
 * credentials that could reach a log line are redacted.
 */
import { pino } from "pino";
import pretty from "pino-pretty";

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
    process.stderr.isTTY && environment.LOG_FORMAT !== "json"
      ? pretty({ destination: 2, colorize: true, translateTime: "HH:MM:ss.l", ignore: "service,pid,hostname" })
      : pino.destination({ fd: 2, sync: false }),
  );
}

/** For tests and tools that want no log output. */
export function silentLogger(): Logger {
  return pino({ level: "silent" });
}
