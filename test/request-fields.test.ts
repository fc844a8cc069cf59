/** Every Chat Completions request field in OpenAI's published spec has a decided handling. */
import { expect, it } from "vitest";
import { requestFieldPolicy } from "../src/openai/request-field-policy.js";
import { specProperties } from "./support/openapi-validator.js";

it("accounts for every request field of OpenAI's spec", () => {
  const undecided = specProperties("CreateChatCompletionRequest").filter((field) => !(field in requestFieldPolicy));
  expect(undecided).toEqual([]);
});
