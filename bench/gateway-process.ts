/** Runs the real `claude-code-api` bin as its own process, as users do, and ends it by pid. */
import { type ChildProcess, spawn } from "node:child_process";
import { once } from "node:events";
import { createRequire } from "node:module";
import { fileURLToPath, pathToFileURL } from "node:url";

const cliPath = fileURLToPath(new URL("../src/cli.ts", import.meta.url));
const tsxLoader = pathToFileURL(createRequire(import.meta.url).resolve("tsx")).href;

export interface GatewayProcess {
  url: string;
  close(): Promise<void>;
}

export async function startGatewayProcess(environment: NodeJS.ProcessEnv, cwd: string): Promise<GatewayProcess> {
  const child: ChildProcess = spawn(process.execPath, ["--import", tsxLoader, cliPath, "--port", "0"], {
    cwd,
    env: { ...environment, LOG_LEVEL: "warn" },
    stdio: ["ignore", "pipe", "inherit"],
  });
  const exited = once(child, "exit");
  const url = await new Promise<string>((resolve, reject) => {
    let output = "";
    child.stdout?.on("data", (chunk) => {
      output += chunk;
      const match = /listening on (http:\/\/\S+)/.exec(output);
      if (match?.[1]) resolve(match[1]);
    });
    child.once("exit", (code) => reject(new Error(`gateway exited with ${code}`)));
  });
  return {
    url,
    async close() {
      // One that died already (a crash mid-measurement) has nothing left to end.
      if (child.exitCode === null && child.signalCode === null) child.kill("SIGTERM");
      await exited;
    },
  };
}
