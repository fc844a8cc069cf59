/**
 * Turns the CLI's stdout bytes into parsed lines. UTF-8 characters split across chunks are joined
 * (StringDecoder), and a line that is not a JSON object is reported as garbage instead of
 * breaking the stream: a stray warning printed by the CLI or a library must not kill a turn.
 */
import { StringDecoder } from "node:string_decoder";
import type { CliLine } from "./protocol.js";

export type DecodedLine = { kind: "line"; line: CliLine } | { kind: "garbage"; text: string };

/** A line longer than this without a newline is dropped as garbage rather than buffered forever. */
const maxLineLength = 64 * 1024 * 1024;

function parseLine(text: string): DecodedLine {
  const trimmed = text.trim();
  if (!trimmed.startsWith("{")) return { kind: "garbage", text };
  try {
    const value: unknown = JSON.parse(trimmed);
    if (typeof value === "object" && value !== null && typeof (value as { type?: unknown }).type === "string") {
      return { kind: "line", line: value as CliLine };
    }
  } catch {
    // fall through: not JSON
  }
  return { kind: "garbage", text };
}

export class LineDecoder {
  private readonly decoder = new StringDecoder("utf8");
  private pending = "";
  private overflowed = false;

  /** Feeds a chunk; returns the complete lines it finished (blank lines are skipped). */
  push(chunk: Buffer | string): DecodedLine[] {
    this.pending += typeof chunk === "string" ? chunk : this.decoder.write(chunk);
    const decoded: DecodedLine[] = [];
    let newline = this.pending.indexOf("\n");
    while (newline >= 0) {
      const text = this.pending.slice(0, newline);
      this.pending = this.pending.slice(newline + 1);
      if (this.overflowed) this.overflowed = false;
      else if (text.trim().length > 0) decoded.push(parseLine(text));
      newline = this.pending.indexOf("\n");
    }
    if (this.pending.length > maxLineLength) {
      decoded.push({
        kind: "garbage",
        text: `${this.pending.slice(0, 200)}… (line over ${maxLineLength} bytes dropped)`,
      });
      this.pending = "";
      this.overflowed = true;
    }
    return decoded;
  }

  /** The last line, if the stream ended without a final newline. */
  end(): DecodedLine[] {
    const rest = this.pending + this.decoder.end();
    this.pending = "";
    return rest.trim().length > 0 && !this.overflowed ? [parseLine(rest)] : [];
  }
}
