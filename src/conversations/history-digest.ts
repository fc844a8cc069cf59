/**
 * How a conversation is recognised when a stateless client resends its history: a rolling digest
 * over (owner, launch profile, each message's role and text). The digest after a turn is the digest
 * before it extended by the turn's messages, so the gateway never needs the whole history to
 * follow a conversation — and two owners, or two system prompts, never share a digest.
 */
import { createHash } from "node:crypto";

export interface HistoryEntry {
  role: string;
  text: string;
}

export function historyRoot(owner: string, profileKey: string): string {
  return createHash("sha256")
    .update(JSON.stringify(["claude-code-api history v1", owner, profileKey]))
    .digest("hex");
}

export function extendDigest(digest: string, entries: readonly HistoryEntry[]): string {
  let current = digest;
  for (const entry of entries) {
    current = createHash("sha256")
      .update(JSON.stringify([current, entry.role, entry.text]))
      .digest("hex");
  }
  return current;
}
