/**
 * How many connections are open, in total and per client address, and whether one more may be.
 * Pure counting; limit-connections.ts applies it to the server's sockets.
 */

/** Which cap a refused connection hit. */
export type ConnectionCap = "max_connections" | "max_connections_per_address";

export class ConnectionCaps {
  private total = 0;
  private readonly perAddress = new Map<string, number>();

  constructor(
    private readonly maxConnections: number,
    private readonly maxConnectionsPerAddress: number,
  ) {}

  /** Counts the connection in, or names the cap it would pass (then it is not counted). */
  admit(address: string): ConnectionCap | undefined {
    const fromAddress = this.perAddress.get(address) ?? 0;
    if (fromAddress >= this.maxConnectionsPerAddress) return "max_connections_per_address";
    if (this.total >= this.maxConnections) return "max_connections";
    this.total++;
    this.perAddress.set(address, fromAddress + 1);
    return undefined;
  }

  /** An admitted connection closed. */
  release(address: string): void {
    const fromAddress = this.perAddress.get(address) ?? 0;
    if (fromAddress === 0) return;
    this.total--;
    // Deleted at zero: the map holds only addresses with a connection open, not every one ever seen.
    if (fromAddress === 1) this.perAddress.delete(address);
    else this.perAddress.set(address, fromAddress - 1);
  }

  get open(): number {
    return this.total;
  }
}

/** One key per client: an IPv4 client of a dual-stack socket arrives as `::ffff:a.b.c.d`. */
export function clientAddress(remoteAddress: string | undefined): string {
  if (remoteAddress === undefined) return "unknown";
  return remoteAddress.startsWith("::ffff:") && remoteAddress.includes(".") ? remoteAddress.slice(7) : remoteAddress;
}
