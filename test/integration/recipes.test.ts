/**
 * The README's recipes that configure a client by environment alone: the `openai` SDK reads
 * OPENAI_BASE_URL and OPENAI_API_KEY, the `@anthropic-ai/sdk` reads ANTHROPIC_BASE_URL and
 * ANTHROPIC_API_KEY — constructed with no options, they reach the gateway; and the README's curl
 * examples, run as written with curl (the gateway's URL and a key put in).
 */
import { execFile } from "node:child_process";
import { readFileSync } from "node:fs";
import { promisify } from "node:util";
import Anthropic from "@anthropic-ai/sdk";
import OpenAI from "openai";
import { afterAll, beforeAll, expect, it } from "vitest";
import { startTestGateway, type TestGateway } from "../support/start-test-gateway.js";

const key = "sk-recipe-0123456789";
let test: TestGateway;
const saved = { ...process.env };
beforeAll(async () => {
  test = await startTestGateway({ auth: { api_keys: [key] } });
  process.env.OPENAI_BASE_URL = `${test.url}/v1`;
  process.env.OPENAI_API_KEY = key;
  process.env.ANTHROPIC_BASE_URL = test.url;
  process.env.ANTHROPIC_API_KEY = key;
});
afterAll(async () => {
  for (const name of ["OPENAI_BASE_URL", "OPENAI_API_KEY", "ANTHROPIC_BASE_URL", "ANTHROPIC_API_KEY"]) {
    if (saved[name] === undefined) delete process.env[name];
    else process.env[name] = saved[name];
  }
  await test.close();
});

it("serves the openai SDK configured by OPENAI_BASE_URL and OPENAI_API_KEY", async () => {
  const completion = await new OpenAI({ maxRetries: 0 }).chat.completions.create({
    model: "sonnet",
    messages: [{ role: "user", content: "from the environment" }],
  });
  expect(completion.choices[0]?.message.content).toBe("ECHO: from the environment");
});

it("serves the Anthropic SDK configured by ANTHROPIC_BASE_URL and ANTHROPIC_API_KEY", async () => {
  const message = await new Anthropic({ maxRetries: 0 }).messages.create({
    model: "sonnet",
    max_tokens: 100,
    messages: [{ role: "user", content: "from the environment too" }],
  });
  expect(message.content[0]).toMatchObject({ type: "text", text: "ECHO: from the environment too" });
});

it("answers the README's curl examples as written", async () => {
  const readme = readFileSync(new URL("../../README.md", import.meta.url), "utf8");
  // One per dialect (chat completions, Responses, Messages) asks the same question.
  const examples = [...readme.matchAll(/```sh\n(curl [\s\S]*?)```/g)]
    .map((match) => match[1] as string)
    .filter((example) => example.includes("Say hello in French."));
  expect(examples.length).toBe(3);
  for (const example of examples) {
    // The shell's line continuations and quoting, as bash reads them.
    const command = example
      .replaceAll("http://127.0.0.1:8080", test.url)
      .replace(/^curl /, `curl -sS -H 'x-api-key: ${key}' `);
    const { stdout } = await promisify(execFile)("bash", ["-c", command]);
    expect(stdout, example).toMatch(/ECHO: Say hello in French\./);
  }
});
