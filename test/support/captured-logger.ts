/** A real logger whose lines (parsed JSON) a test can read, to check what was logged and at which level. */
import { pino } from "pino";
import type { Logger } from "../../src/observability/logger.js";

export interface LogLine {
  level: number;
  msg: string;
  [field: string]: unknown;
}

export const logLevels = { debug: 20, info: 30, warn: 40, error: 50 } as const;

export function capturedLogger(): { logger: Logger; lines: LogLine[] } {
  const lines: LogLine[] = [];
  const logger = pino({ level: "debug" }, { write: (line: string) => lines.push(JSON.parse(line) as LogLine) });
  return { logger, lines };
}
