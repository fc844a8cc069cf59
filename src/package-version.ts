/** This package's version, for `--version` and the metrics (package.json sits one level above both src/ and dist/). */
import { createRequire } from "node:module";

export function packageVersion(): string {
  try {
    return (createRequire(import.meta.url)("../package.json") as { version: string }).version;
  } catch {
    return "unknown";
  }
}
