/**
 * Runs a client program (Codex, Claude Code) to its exit, stdin closed, its output collected, with
 * a time limit: on timeout its own pid gets SIGTERM, then SIGKILL two seconds later. A command it
 * left running may hold its pipes, so the rest of the output is awaited only briefly.
 */
import { spawn } from "node:child_process";

export interface ExitedRun {
  exitCode: number | null;
  signal: NodeJS.Signals | null;
  timedOut: boolean;
  stdout: string;
  stderr: string;
}

export async function runToExit(
  command: string,
  args: readonly string[],
  options: { cwd: string; env: NodeJS.ProcessEnv; timeoutMs: number },
): Promise<ExitedRun> {
  const child = spawn(command, args, { cwd: options.cwd, env: options.env, stdio: ["ignore", "pipe", "pipe"] });
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (chunk) => {
    stdout += chunk;
  });
  child.stderr.on("data", (chunk) => {
    stderr += chunk;
  });
  let timedOut = false;
  const signalOwnPid = (signal: NodeJS.Signals) => {
    const pid = child.pid;
    if (child.exitCode === null && child.signalCode === null && pid !== undefined && pid > 0) {
      process.kill(pid, signal);
    }
  };
  let killTimer: NodeJS.Timeout | undefined;
  const timer = setTimeout(() => {
    timedOut = true;
    signalOwnPid("SIGTERM");
    killTimer = setTimeout(() => signalOwnPid("SIGKILL"), 2_000);
  }, options.timeoutMs);
  const closed = new Promise<void>((resolve) => child.once("close", () => resolve()));
  const [exitCode, signal] = await new Promise<[number | null, NodeJS.Signals | null]>((resolve, reject) => {
    child.once("error", reject);
    child.once("exit", (code, signalName) => resolve([code, signalName]));
  }).finally(() => {
    clearTimeout(timer);
    clearTimeout(killTimer);
  });
  await Promise.race([closed, new Promise((resolve) => setTimeout(resolve, 2_000))]);
  return { exitCode, signal, timedOut, stdout, stderr };
}
