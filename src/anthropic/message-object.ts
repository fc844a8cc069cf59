/** A Messages API answer's identity and how it is told. */
import { randomBytes } from "node:crypto";
import type { ThinkingDisplay } from "./thinking-display.js";

/** What every rendering of one answer shares: its id, the model it falls back on, its thinking. */
export interface MessageRendering {
  id: string;
  model: string;
  thinking: ThinkingDisplay;
}

export function newMessageId(): string {
  return `msg_${randomBytes(12).toString("hex")}`;
}
