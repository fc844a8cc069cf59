import { describe, expect, it } from "vitest";
import { ModelCatalog } from "./model-catalog.js";

// The CLI 2.1.197 `initialize` answer's models, abridged.
const initializeAnswer = {
  models: [
    { value: "default", resolvedModel: "claude-opus-4-8[1m]", displayName: "Default (recommended)" },
    { value: "opus[1m]", resolvedModel: "claude-opus-4-8[1m]", displayName: "Opus" },
    { value: "sonnet", resolvedModel: "claude-sonnet-5", displayName: "Sonnet" },
    { value: "haiku", resolvedModel: "claude-haiku-4-5-20251001", displayName: "Haiku" },
  ],
};

const ids = (catalog: ModelCatalog) => catalog.list().map((model) => model.id);

describe("ModelCatalog", () => {
  it("lists the aliases and the configured default", () => {
    expect(ids(new ModelCatalog("claude-sonnet-4-5"))).toEqual(["opus", "sonnet", "haiku", "claude-sonnet-4-5"]);
  });

  it("lists the CLI's own models: its default at boot, its catalogue at initialize, without the [1m] suffix", () => {
    const catalog = new ModelCatalog();
    catalog.learnFromSettings({ applied: { model: "claude-opus-4-8[1m]", effort: "high" } });
    catalog.learnFromInitialize(initializeAnswer);
    expect(ids(catalog)).toEqual([
      "opus",
      "sonnet",
      "haiku",
      "claude-opus-4-8",
      "claude-sonnet-5",
      "claude-haiku-4-5-20251001",
    ]);
  });

  it("ignores answers of another shape", () => {
    const catalog = new ModelCatalog();
    catalog.learnFromSettings(undefined);
    catalog.learnFromInitialize({ models: "none" });
    catalog.learnFromInitialize({ models: [{ value: 1 }, null].filter(Boolean) });
    expect(ids(catalog)).toEqual(["opus", "sonnet", "haiku"]);
  });

  it("lists a model an answer named instead of the one asked for, never the asked one echoed back", () => {
    const catalog = new ModelCatalog();
    catalog.observeAnswer("gpt-3.5-turbo", "gpt-3.5-turbo");
    catalog.observeAnswer("claude-junk", "claude-junk[1m]");
    catalog.observeAnswer("claude-3-5-haiku-latest", "claude-3-5-haiku-20241022");
    expect(ids(catalog)).toEqual(["opus", "sonnet", "haiku", "claude-3-5-haiku-20241022"]);
  });

  it("retrieves a listed model, and any claude- id unlisted; nothing else", () => {
    const catalog = new ModelCatalog();
    expect(catalog.retrieve("opus")).toMatchObject({ id: "opus", object: "model", owned_by: "anthropic" });
    expect(catalog.retrieve("claude-sonnet-4-5")?.id).toBe("claude-sonnet-4-5");
    expect(catalog.retrieve("gpt-3.5-turbo")).toBeUndefined();
  });
});
