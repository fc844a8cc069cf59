/**
 * Thinking blocks as Anthropic gives them: only when the request turns thinking on (`enabled`,
 * `adaptive`, `between_tools`), with the text unless `display: "omitted"`. The CLI may think either
 * way; a client that did not ask gets no blocks it would not get from Anthropic.
 */
import type { MessagesRequest } from "./messages-request.js";

export type ThinkingDisplay = "shown" | "omitted" | "hidden";

export function thinkingDisplay(request: Pick<MessagesRequest, "thinking">): ThinkingDisplay {
  const thinking = request.thinking;
  if (!thinking || thinking.type === "disabled") return "hidden";
  return thinking.display === "omitted" ? "omitted" : "shown";
}
