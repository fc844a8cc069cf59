/**
 * Every request field has a decided handling: Chat Completions' as OpenAI's published spec lists
 * them, the Messages API's as Anthropic's SDK declares them (its .d.ts, a dev dependency).
 */
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { expect, it } from "vitest";
import { messagesFieldPolicy } from "../src/anthropic/messages-field-policy.js";
import { requestFieldPolicy } from "../src/openai/request-field-policy.js";
import { specProperties } from "./support/openapi-validator.js";

it("accounts for every request field of OpenAI's spec", () => {
  const undecided = specProperties("CreateChatCompletionRequest").filter((field) => !(field in requestFieldPolicy));
  expect(undecided).toEqual([]);
});

/** The body fields of an interface in the SDK's declarations (header params excluded). */
function sdkFields(file: string, name: string): string[] {
  const sdk = dirname(createRequire(import.meta.url).resolve("@anthropic-ai/sdk"));
  const text = readFileSync(join(sdk, file), "utf8");
  const body = new RegExp(`export interface ${name} \\{([\\s\\S]*?)\\n\\}`).exec(text)?.[1] ?? "";
  const headers = new Set(["betas", "user_profile_id", "workspace_id"]);
  return [...body.matchAll(/^ {4}(\w+)\??:/gm)]
    .map((match) => match[1] as string)
    .filter((field) => !headers.has(field));
}

it("accounts for every Messages API request field of Anthropic's SDK, beta fields included", () => {
  const fields = [
    ...sdkFields("resources/messages/messages.d.ts", "MessageCreateParamsBase"),
    ...sdkFields("resources/beta/messages/messages.d.ts", "MessageCreateParamsBase"),
  ];
  expect(fields).toContain("max_tokens");
  expect(fields).toContain("output_config");
  const undecided = [...new Set(fields)].filter((field) => !(field in messagesFieldPolicy));
  expect(undecided).toEqual([]);
});
