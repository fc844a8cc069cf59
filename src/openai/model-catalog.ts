/**
 * The models `GET /v1/models` lists: the aliases, the configured default, the CLI's own catalogue
 * (its default model at boot, `get_settings`; the models it offers at `initialize`), and models an
 * upstream answer named. Never an id only because a client asked for it: the CLI passes any model
 * string to the API, and an upstream that echoes the request's model (the mock, some proxies)
 * would otherwise make `gpt-3.5-turbo` or a typo a listed model. Retrieving an unlisted `claude-…`
 * id still succeeds; the API decides.
 */
import type { Model } from "openai/resources/models";
import { cleanModelName } from "../turns/read-turn-output.js";

const aliases = ["opus", "sonnet", "haiku"] as const;

/** The part of the CLI's `initialize` answer that names its models (measured, CLI 2.1.197). */
interface InitializeModels {
  models?: Array<{ value?: unknown; resolvedModel?: unknown }>;
}

export class ModelCatalog {
  private readonly models = new Map<string, number>();

  constructor(defaultModel?: string) {
    for (const alias of aliases) this.add(alias);
    if (defaultModel) this.add(defaultModel);
  }

  /** The CLI's own default model, once a booted process has told it (`get_settings`). */
  cliDefault: string | undefined;

  /** A booted process's `get_settings` answer: `applied.model` is the CLI's default model. */
  learnFromSettings(settings: unknown): void {
    const model = (settings as { applied?: { model?: unknown } } | undefined)?.applied?.model;
    if (typeof model !== "string") return;
    this.add(model);
    this.cliDefault = model;
  }

  /**
   * An `initialize` answer: each model the CLI offers, as its alias ("sonnet") and the id it
   * resolves to ("claude-sonnet-5"). Its "default" entry is a choice of the CLI's, not a model id.
   */
  learnFromInitialize(answer: unknown): void {
    const models = (answer as InitializeModels | undefined)?.models;
    if (!Array.isArray(models)) return;
    for (const { value, resolvedModel } of models) {
      if (typeof value === "string" && value !== "default") this.add(value);
      if (typeof resolvedModel === "string") this.add(resolvedModel);
    }
  }

  /**
   * A finished turn: the model that answered is listed only when the upstream named another model
   * than the one asked for (an alias or a `-latest` id resolved); the same id back proves nothing.
   */
  observeAnswer(requestedModel: string, answeringModel: string): void {
    if (cleanModelName(answeringModel) !== cleanModelName(requestedModel)) this.add(answeringModel);
  }

  list(): Model[] {
    return [...this.models.entries()].map(([id, created]) => this.model(id, created));
  }

  retrieve(id: string): Model | undefined {
    const created = this.models.get(id);
    if (created !== undefined) return this.model(id, created);
    if (/^claude-[a-z0-9.-]+$/.test(id)) return this.model(id, Math.floor(Date.now() / 1000));
    return undefined;
  }

  private add(model: string): void {
    // "claude-opus-4-8[1m]": the context-size suffix is not part of the model id.
    const id = cleanModelName(model);
    if (id && id !== "<synthetic>" && !this.models.has(id)) this.models.set(id, Math.floor(Date.now() / 1000));
  }

  private model(id: string, created: number): Model {
    return { id, object: "model", created, owned_by: "anthropic" } satisfies Model;
  }
}
