/**
 * The model list in Anthropic's shape, for Anthropic's clients (`client.models.list()`), which
 * tell themselves apart by the `anthropic-version` header they always send.
 */
export interface AnthropicModel {
  type: "model";
  id: string;
  display_name: string;
  /** RFC 3339. */
  created_at: string;
}

export function anthropicModel(model: { id: string; created: number }): AnthropicModel {
  return {
    type: "model",
    id: model.id,
    display_name: model.id,
    created_at: new Date(model.created * 1000).toISOString(),
  };
}

export function anthropicModelPage(models: ReadonlyArray<{ id: string; created: number }>) {
  const data = models.map(anthropicModel);
  return { data, has_more: false, first_id: data[0]?.id ?? null, last_id: data.at(-1)?.id ?? null };
}
