/**
 * What the model was shown in the mock's last (or given) Messages API request: one line per
 * message, `role: text`, without the CLI's `<system-reminder>` blocks — to assert that earlier
 * turns arrive as real messages, not as replayed text.
 */
import type { MockAnthropic, RecordedRequest } from "../fixtures/mock-anthropic/mock-anthropic.js";

export function turnsSeen(request: RecordedRequest | undefined): string[] {
  return (request?.body.messages ?? [])
    .filter((message) => message.role !== "system") // the CLI's own context notes
    .map((message) => {
      const blocks = typeof message.content === "string" ? [{ type: "text", text: message.content }] : message.content;
      const texts = blocks
        .filter((block) => block.type === "text" && typeof block.text === "string")
        .map((block) => (block.text as string).trim())
        .filter((text) => !/^<(system-reminder|local-command|command-name)/.test(text));
      return `${message.role}: ${texts.join(" / ")}`;
    })
    .filter((line) => !line.endsWith(": "));
}

export function lastTurnsSeen(mock: MockAnthropic): string[] {
  return turnsSeen(mock.messageRequests().at(-1));
}
