/**
 * GET /v1/models with the `openai` client, the real CLI and the mock (which answers with whatever
 * model it was asked for): the CLI's own models are listed, a client's model names are not.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestGateway, type TestGateway } from "../support/start-test-gateway.js";

let test: TestGateway;
beforeAll(async () => {
  test = await startTestGateway();
});
afterAll(() => test.close());

const listedIds = async () => (await test.client.models.list()).data.map((model) => model.id);

describe("models", () => {
  it("lists the models the CLI offers, once a process was initialized", async () => {
    const completion = await test.client.chat.completions.create({
      model: "sonnet",
      messages: [{ role: "user", content: "Hi" }],
    });
    const ids = await listedIds();
    // The alias the request named resolved to the model that answered; both are the CLI's own.
    expect(completion.model).toMatch(/^claude-/);
    expect(ids).toEqual(expect.arrayContaining(["opus", "sonnet", "haiku", completion.model]));
    // CLI 2.1.197 offers its models at initialize; "default" is a choice, not a model id.
    expect(ids).toEqual(expect.arrayContaining(["claude-opus-4-8", "claude-sonnet-5", "claude-haiku-4-5-20251001"]));
    expect(ids).not.toContain("default");
    expect(ids.every((id) => ["opus", "sonnet", "haiku"].includes(id) || id.startsWith("claude-"))).toBe(true);
  });

  it("does not list a model only because a request named it, even when the upstream answered", async () => {
    for (const model of ["gpt-3.5-turbo", "no-such-model-xyz", "claude-no-such-model"]) {
      const completion = await test.client.chat.completions.create({
        model,
        messages: [{ role: "user", content: "Hi" }],
      });
      // The mock echoes the model it was asked for, as a permissive proxy would.
      expect(completion.model).toBe(model);
    }
    const ids = await listedIds();
    expect(ids).not.toContain("gpt-3.5-turbo");
    expect(ids).not.toContain("no-such-model-xyz");
    expect(ids).not.toContain("claude-no-such-model");
    const error = await test.client.models.retrieve("no-such-model-xyz").catch((caught) => caught);
    expect(error.status).toBe(404);
  });
});
