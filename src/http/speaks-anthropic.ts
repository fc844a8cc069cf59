/**
 * Whether a request comes from an Anthropic client, which expects Anthropic's shapes: anything on
 * the Messages routes, and any request carrying `anthropic-version` (Anthropic's SDKs and Claude
 * Code always send it; OpenAI's clients never do). Pure, so the server's own refusals (before the
 * app) answer in the same shape as the app's.
 */
export function speaksAnthropic(path: string, header: (name: string) => string | null | undefined): boolean {
  const messages = path === "/v1/messages" || path.startsWith("/v1/messages/");
  return messages || (header("anthropic-version") ?? undefined) !== undefined;
}
