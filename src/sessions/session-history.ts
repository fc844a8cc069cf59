/**
 * What a live session keeps for clients joining late: whole messages, oldest first, at most
 * `maxBytes` of their JSON. Without a bound an attacker's long turns grew it without end, and it
 * was replayed whole to every watcher (measured: 50 watchers received 1.77 GB). Past the bound the
 * oldest whole messages go — a half message would not parse — and a late joiner is told how many.
 */

/** The first message a late joiner gets when older ones were dropped. */
export interface HistoryTruncated {
  type: "history_truncated";
  /** Messages dropped since the session started, oldest first. */
  dropped_messages: number;
}

interface Entry {
  message: unknown;
  bytes: number;
}

export class SessionHistory {
  private readonly entries: Entry[] = [];
  private bytes = 0;
  private dropped = 0;

  constructor(private readonly maxBytes: number) {}

  /** Keeps `message`, then drops the oldest until the rest fit (a message larger than the bound is not kept). */
  add(message: unknown): void {
    // Measured as the bridge sends it: JSON text, in UTF-8.
    const bytes = Buffer.byteLength(JSON.stringify(message));
    this.entries.push({ message, bytes });
    this.bytes += bytes;
    while (this.bytes > this.maxBytes) {
      const oldest = this.entries.shift();
      if (!oldest) break;
      this.bytes -= oldest.bytes;
      this.dropped++;
    }
  }

  /** What a late joiner is sent: the note when something was dropped, then what is kept. */
  replay(): unknown[] {
    const kept = this.entries.map((entry) => entry.message);
    if (this.dropped === 0) return kept;
    const note: HistoryTruncated = { type: "history_truncated", dropped_messages: this.dropped };
    return [note, ...kept];
  }

  /** Bytes of JSON kept. */
  get size(): number {
    return this.bytes;
  }
}
