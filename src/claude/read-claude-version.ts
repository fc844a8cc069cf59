/** `claude --version` (~0.1 s), for the readiness check. Resolves undefined when the CLI cannot run. */
import { execFile } from "node:child_process";

export function readClaudeVersion(command: string, environment: NodeJS.ProcessEnv): Promise<string | undefined> {
  return new Promise((resolve) => {
    execFile(command, ["--version"], { env: environment, timeout: 15_000 }, (error, stdout) => {
      if (error) return resolve(undefined);
      // "2.1.197 (Claude Code)"
      resolve(/\d+\.\d+\.\d+\S*/.exec(stdout)?.[0]);
    });
  });
}
