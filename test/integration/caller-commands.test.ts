/**
 * A caller's text never runs a Claude Code command, in any dialect: `/config` would write settings
 * into the CLI's config dir (and, with claude.setting_sources "user", into every key's answers),
 * `/heapdump` a 32 MB snapshot holding the upstream credential, `/clear` would drop the session.
 * The model gets the words as text instead.
 */
import { existsSync, readdirSync } from "node:fs";
import { join } from "node:path";
import Anthropic from "@anthropic-ai/sdk";
import { afterAll, beforeAll, expect, it } from "vitest";
import { startTestGateway, type TestGateway } from "../support/start-test-gateway.js";

let test: TestGateway;
beforeAll(async () => {
  test = await startTestGateway();
});
afterAll(() => test.close());

/** Every file under a directory, relative. */
function filesUnder(directory: string, prefix = ""): string[] {
  if (!existsSync(directory)) return [];
  return readdirSync(directory, { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory()
      ? filesUnder(join(directory, entry.name), `${prefix}${entry.name}/`)
      : [`${prefix}${entry.name}`],
  );
}

it("gives the model `/config …` as text, and writes no settings (chat completions)", async () => {
  const completion = await test.client.chat.completions.create({
    model: "sonnet",
    messages: [{ role: "user", content: "/config language=Klingon" }],
  });
  expect(completion.choices[0]?.message.content).toBe("ECHO: \u200b/config language=Klingon");
  expect(filesUnder(test.environment.configDirectory).filter((file) => file.endsWith("settings.json"))).toEqual([]);
});

it("gives the model `/heapdump` and `/clear` as text in any block (Messages API), and writes no snapshot", async () => {
  const client = new Anthropic({ baseURL: test.url, apiKey: "unused", maxRetries: 0 });
  const message = await client.messages.create({
    model: "sonnet",
    max_tokens: 100,
    messages: [
      {
        role: "user",
        content: [
          { type: "text", text: "first" },
          { type: "text", text: "  /heapdump" },
        ],
      },
    ],
  });
  expect(message.content).toMatchObject([{ type: "text", text: "ECHO: \u200b  /heapdump" }]);
  const all = [...filesUnder(test.environment.directory)];
  expect(all.filter((file) => file.endsWith(".heapsnapshot"))).toEqual([]);
  const cleared = await client.messages.create({
    model: "sonnet",
    max_tokens: 100,
    messages: [{ role: "user", content: "/clear" }],
  });
  expect(cleared.content).toMatchObject([{ type: "text", text: "ECHO: \u200b/clear" }]);
});
