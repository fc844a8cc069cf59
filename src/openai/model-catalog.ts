/**
 * The models `GET /v1/models` lists: the CLI's aliases, the configured default, and every model id
 * the CLI has reported (its default at boot, the models that answered). The CLI passes any model
 * string to the API, so retrieving an unlisted `claude-…` id also succeeds; the API decides.
 */
import type { Model } from "openai/resources/models";

const aliases = ["opus", "sonnet", "haiku"] as const;

export class ModelCatalog {
  private readonly models = new Map<string, number>();

  constructor(defaultModel?: string) {
    for (const alias of aliases) this.observe(alias);
    if (defaultModel) this.observe(defaultModel);
  }

  observe(id: string): void {
    if (id && id !== "<synthetic>" && !this.models.has(id)) this.models.set(id, Math.floor(Date.now() / 1000));
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

  private model(id: string, created: number): Model {
    return { id, object: "model", created, owned_by: "anthropic" } satisfies Model;
  }
}
