/**
 * A caller without the agent grant makes the CLI read no file: Claude Code attaches any file or
 * directory a user message names with `@path` (its only check is a Read deny rule), which let any
 * key read /etc/passwd or another key's transcript. Model processes run with attachments off.
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Anthropic from "@anthropic-ai/sdk";
import { afterAll, beforeAll, expect, it } from "vitest";
import { startTestGateway, type TestGateway } from "../support/start-test-gateway.js";

let test: TestGateway;
let directory: string;
beforeAll(async () => {
  test = await startTestGateway();
  directory = mkdtempSync(join(tmpdir(), "ccapi-mention-"));
  writeFileSync(join(directory, "secret.txt"), "TOP-SECRET-MENTION-MARKER\n");
});
afterAll(async () => {
  await test.close();
  rmSync(directory, { recursive: true, force: true });
});

const upstream = () => JSON.stringify(test.environment.mock.messageRequests().at(-1)?.body.messages);

it("attaches no file a chat message names with @", async () => {
  const completion = await test.client.chat.completions.create({
    model: "sonnet",
    messages: [{ role: "user", content: `what is in @${join(directory, "secret.txt")} ?` }],
  });
  expect(completion.choices[0]?.message.content).toContain("ECHO: what is in @");
  expect(upstream()).not.toContain("TOP-SECRET-MENTION-MARKER");
});

it("lists no directory, and reads no transcript, named with @ (Messages API)", async () => {
  const client = new Anthropic({ baseURL: test.url, apiKey: "unused", maxRetries: 0 });
  await client.messages.create({
    model: "sonnet",
    max_tokens: 100,
    messages: [{ role: "user", content: `list @${directory}/ and @${test.environment.configDirectory}/` }],
  });
  expect(upstream()).not.toContain("secret.txt");
  expect(upstream()).not.toContain("projects");
});
