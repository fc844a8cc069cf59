/**
 * Whether a URL a tool would fetch points into the gateway's own network: loopback, private,
 * link-local (cloud metadata at 169.254.169.254) or unique-local addresses, by what its host
 * resolves to. WebFetch runs in the CLI process, outside the sandbox, so a live-session client
 * approving such a fetch would reach what only the gateway's machine can.
 */
import { lookup } from "node:dns/promises";
import { isIP } from "node:net";

export async function isPrivateWebAddress(url: unknown): Promise<boolean> {
  let host: string;
  try {
    host = new URL(String(url)).hostname.replace(/^\[|\]$/g, "");
  } catch {
    return true;
  }
  const addresses =
    isIP(host) !== 0
      ? [host]
      : await lookup(host, { all: true }).then(
          (found) => found.map((entry) => entry.address),
          () => [],
        );
  return addresses.length === 0 || addresses.some(isPrivateAddress);
}

function isPrivateAddress(address: string): boolean {
  if (isIP(address) === 4) {
    const [a = 0, b = 0] = address.split(".").map(Number);
    return (
      a === 0 ||
      a === 10 ||
      a === 127 ||
      (a === 169 && b === 254) ||
      (a === 172 && b >= 16 && b <= 31) ||
      (a === 192 && b === 168) ||
      (a === 100 && b >= 64 && b <= 127)
    );
  }
  const lower = address.toLowerCase();
  // IPv4 inside IPv6 (::ffff:127.0.0.1, which URL parsing writes ::ffff:7f00:1): the IPv4 decides.
  const embedded = /^::(?:ffff:)?(?:(\d+\.\d+\.\d+\.\d+)|([0-9a-f]{1,4}):([0-9a-f]{1,4}))$/.exec(lower);
  if (embedded?.[1]) return isPrivateAddress(embedded[1]);
  if (embedded?.[2] && embedded[3]) {
    const high = Number.parseInt(embedded[2], 16);
    const low = Number.parseInt(embedded[3], 16);
    return isPrivateAddress(`${high >> 8}.${high & 255}.${low >> 8}.${low & 255}`);
  }
  return (
    lower === "::1" || lower === "::" || lower.startsWith("fc") || lower.startsWith("fd") || lower.startsWith("fe80")
  );
}
