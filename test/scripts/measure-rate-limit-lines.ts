/**
 * `npx tsx test/scripts/measure-rate-limit-lines.ts [api-key|auth-token|oauth-token] [preset] [turns] [text]`: what the
 * REAL CLI prints when the API's answers carry `anthropic-ratelimit-unified-*` headers. Runs one
 * long-lived CLI with the gateway's command line against the mock, sends `turns` user turns (each
 * `text`, a mock directive such as `[[error:429]]` if wanted, then " N"), then
 * the `get_usage` control request, and prints every stdout line but the `stream_event`s. The facts
 * it showed are in docs/decisions/0017-usage-windows.md.
 *
 * Presets: `allowed` (both windows under every threshold), `early` (the 5-hour window at 95 % with
 * 4.5 h left: past the CLI's own early-warning threshold), `late` (95 % with 10 min left: not past
 * it), `surpassed` (the API naming a surpassed threshold), `rejected` (the 5-hour window used up),
 * `none`.
 */
import { spawn } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { baseClaudeArguments } from "../../src/claude/launch-profile.js";
import { configurationSchema } from "../../src/config/configuration-schema.js";
import { startMockAnthropic } from "../fixtures/mock-anthropic/mock-anthropic.js";
import { claudeBinary } from "../support/claude-test-environment.js";

const [auth = "oauth-token", preset = "allowed", turns = "2", text = "hello"] = process.argv.slice(2);
const now = Math.floor(Date.now() / 1000);
const presets: Record<string, Record<string, string>> = {
  none: {},
  allowed: {
    "anthropic-ratelimit-unified-status": "allowed",
    "anthropic-ratelimit-unified-reset": String(now + 3600),
    "anthropic-ratelimit-unified-representative-claim": "five_hour",
    "anthropic-ratelimit-unified-fallback-percentage": "0.5",
    "anthropic-ratelimit-unified-5h-status": "allowed",
    "anthropic-ratelimit-unified-5h-utilization": "0.42",
    "anthropic-ratelimit-unified-5h-reset": String(now + 3600),
    "anthropic-ratelimit-unified-7d-status": "allowed",
    "anthropic-ratelimit-unified-7d-utilization": "0.1",
    "anthropic-ratelimit-unified-7d-reset": String(now + 5 * 86400),
  },
  early: {
    "anthropic-ratelimit-unified-status": "allowed",
    "anthropic-ratelimit-unified-reset": String(now + 16200),
    "anthropic-ratelimit-unified-representative-claim": "five_hour",
    "anthropic-ratelimit-unified-5h-utilization": "0.95",
    "anthropic-ratelimit-unified-5h-reset": String(now + 16200),
    "anthropic-ratelimit-unified-7d-utilization": "0.1",
    "anthropic-ratelimit-unified-7d-reset": String(now + 5 * 86400),
  },
  late: {
    "anthropic-ratelimit-unified-status": "allowed",
    "anthropic-ratelimit-unified-reset": String(now + 600),
    "anthropic-ratelimit-unified-representative-claim": "five_hour",
    "anthropic-ratelimit-unified-5h-utilization": "0.95",
    "anthropic-ratelimit-unified-5h-reset": String(now + 600),
    "anthropic-ratelimit-unified-7d-utilization": "0.1",
    "anthropic-ratelimit-unified-7d-reset": String(now + 5 * 86400),
  },
  rejected: {
    "anthropic-ratelimit-unified-status": "rejected",
    "anthropic-ratelimit-unified-reset": String(now + 3600),
    "anthropic-ratelimit-unified-representative-claim": "five_hour",
    "anthropic-ratelimit-unified-5h-utilization": "1.0",
    "anthropic-ratelimit-unified-5h-reset": String(now + 3600),
    "anthropic-ratelimit-unified-7d-utilization": "0.3",
    "anthropic-ratelimit-unified-7d-reset": String(now + 5 * 86400),
  },
  surpassed: {
    "anthropic-ratelimit-unified-status": "allowed",
    "anthropic-ratelimit-unified-reset": String(now + 3600),
    "anthropic-ratelimit-unified-representative-claim": "seven_day",
    "anthropic-ratelimit-unified-5h-utilization": "0.42",
    "anthropic-ratelimit-unified-5h-reset": String(now + 3600),
    "anthropic-ratelimit-unified-7d-utilization": "0.8",
    "anthropic-ratelimit-unified-7d-reset": String(now + 5 * 86400),
    "anthropic-ratelimit-unified-7d-surpassed-threshold": "0.75",
  },
};

const mock = await startMockAnthropic();
mock.setMessageHeaders(presets[preset] ?? {});
const directory = mkdtempSync(join(tmpdir(), "ccapi-measure-"));
const workspace = join(directory, "workspace");
mkdirSync(workspace);
const environment: NodeJS.ProcessEnv = {
  PATH: process.env.PATH,
  HOME: directory,
  ANTHROPIC_BASE_URL: mock.url,
  CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC: "1",
  CLAUDE_CONFIG_DIR: join(directory, "config"),
  CLAUDE_CODE_MAX_RETRIES: "0",
};
if (auth === "api-key") environment.ANTHROPIC_API_KEY = "measure-key";
else if (auth === "auth-token") environment.ANTHROPIC_AUTH_TOKEN = "measure-token";
else environment.CLAUDE_CODE_OAUTH_TOKEN = "measure-token";
if (process.env.CLAUDE_CODE_OAUTH_SCOPES) environment.CLAUDE_CODE_OAUTH_SCOPES = process.env.CLAUDE_CODE_OAUTH_SCOPES;

const args = baseClaudeArguments(configurationSchema.parse({ data_dir: directory }).claude);
console.log(`$ ${Object.keys(environment).join(" ")} claude ${args.join(" ")}`);
const child = spawn(claudeBinary(), args, { cwd: workspace, env: environment, stdio: ["pipe", "pipe", "inherit"] });
const lines = createInterface({ input: child.stdout });
const waiting: Array<(line: Record<string, unknown>) => boolean> = [];
lines.on("line", (text) => {
  const line = JSON.parse(text) as Record<string, unknown>;
  if (line.type !== "stream_event") console.log(text.length > 1500 ? `${text.slice(0, 1500)}…` : text);
  const index = waiting.findIndex((accepts) => accepts(line));
  if (index >= 0) waiting.splice(index, 1);
});
const until = (accepts: (line: Record<string, unknown>) => boolean) =>
  new Promise<void>((resolve) =>
    waiting.push((line) => {
      if (!accepts(line)) return false;
      resolve();
      return true;
    }),
  );
const write = (message: unknown) => child.stdin.write(`${JSON.stringify(message)}\n`);

write({ type: "control_request", request_id: "init", request: { subtype: "initialize" } });
await until((line) => line.type === "control_response");
for (let turn = 1; turn <= Number(turns); turn++) {
  console.log(`--- turn ${turn}`);
  write({
    type: "user",
    message: { role: "user", content: `${text} ${turn}` },
    parent_tool_use_id: null,
    session_id: "",
  });
  await until((line) => line.type === "result");
}
console.log("--- get_usage");
write({ type: "control_request", request_id: "usage", request: { subtype: "get_usage" } });
await until((line) => line.type === "control_response");
console.log(`--- mock saw: ${mock.requests.map((request) => `${request.method} ${request.url}`).join(", ")}`);
child.stdin.end();
await new Promise((resolve) => child.once("exit", resolve));
await mock.close();
rmSync(directory, { recursive: true, force: true });
