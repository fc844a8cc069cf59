/**
 * Runs a small Node script as a room's user (or, without one, as the gateway's own): how the
 * gateway writes into and removes from rooms without root ever acting inside a directory another
 * user owns (see write-as-user.ts, remove-as-user.ts). Resolves to what the script printed.
 */
import { spawn } from "node:child_process";

/** Longest a script may take; a file system that hangs must not hold a sweep, or shutdown, forever. */
const timeoutMs = 30_000;

export function runAsUser(
  user: { uid: number; gid: number } | undefined,
  script: string,
  args: readonly string[],
  input?: string,
): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ["-e", script, ...args], {
      ...user,
      env: {},
      stdio: [input === undefined ? "ignore" : "pipe", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout?.on("data", (chunk) => {
      stdout += chunk;
    });
    child.stderr?.on("data", (chunk) => {
      stderr += chunk;
    });
    const timer = setTimeout(() => child.kill("SIGKILL"), timeoutMs); // by its own pid
    timer.unref();
    child.once("error", reject);
    child.once("exit", (code) => {
      clearTimeout(timer);
      if (code === 0) resolve(stdout);
      else reject(new Error(`as uid ${user?.uid ?? process.getuid?.()}: ${stderr.slice(0, 300)}`));
    });
    if (input !== undefined) child.stdin?.end(input);
  });
}
