/**
 * A caller's text never runs a Claude Code command. The CLI reads user text that starts with `/`
 * as one of its commands (`/config` writes settings files, `/heapdump` a 32 MB snapshot, `/clear`
 * and `/compact` change the session, `/insights` reads other sessions' transcripts — measured), in
 * any text block of the message, while a leading space makes it plain text. So every text block
 * whose first non-space character is `/` gets a zero-width space ahead of it: invisible to a
 * reader, and not trimmed away by JavaScript's trim(), whichever way the CLI looks. The gateway's
 * own `/clear` goes to the process by another way (process-pool.ts), never through here.
 */
import type { UserContent } from "../claude/protocol.js";

const zeroWidthSpace = "\u200b";
const looksLikeCommand = /^\s*\//;

function inert(text: string): string {
  return looksLikeCommand.test(text) ? `${zeroWidthSpace}${text}` : text;
}

export function inertCommands(content: UserContent): UserContent {
  if (typeof content === "string") return inert(content);
  return content.map((block) =>
    block.type === "text" && typeof block.text === "string" ? { ...block, text: inert(block.text) } : block,
  );
}
