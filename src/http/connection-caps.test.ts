import { describe, expect, it } from "vitest";
import { ConnectionCaps, clientAddress } from "./connection-caps.js";

describe("ConnectionCaps", () => {
  it("refuses an address past its cap while other addresses still get in", () => {
    const caps = new ConnectionCaps(10, 2);
    expect(caps.admit("10.0.0.1")).toBeUndefined();
    expect(caps.admit("10.0.0.1")).toBeUndefined();
    expect(caps.admit("10.0.0.1")).toBe("max_connections_per_address");
    expect(caps.admit("10.0.0.2")).toBeUndefined();
    expect(caps.open).toBe(3);
  });

  it("refuses everyone past the total, and admits again once a connection closes", () => {
    const caps = new ConnectionCaps(2, 2);
    expect(caps.admit("a")).toBeUndefined();
    expect(caps.admit("b")).toBeUndefined();
    expect(caps.admit("c")).toBe("max_connections");
    caps.release("a");
    expect(caps.admit("c")).toBeUndefined();
    expect(caps.open).toBe(2);
  });

  it("does not count refused connections, and ignores a release it never admitted", () => {
    const caps = new ConnectionCaps(1, 1);
    caps.admit("a");
    expect(caps.admit("a")).toBe("max_connections_per_address");
    caps.release("b");
    expect(caps.open).toBe(1);
    caps.release("a");
    caps.release("a");
    expect(caps.open).toBe(0);
    // The second release did not free a place "a" never had: one connection fills it again.
    expect(caps.admit("a")).toBeUndefined();
    expect(caps.admit("a")).toBe("max_connections_per_address");
  });
});

describe("clientAddress", () => {
  it("treats an IPv4-mapped IPv6 address as its IPv4 address", () => {
    expect(clientAddress("::ffff:127.0.0.1")).toBe("127.0.0.1");
    expect(clientAddress("127.0.0.1")).toBe("127.0.0.1");
    expect(clientAddress("::1")).toBe("::1");
    expect(clientAddress(undefined)).toBe("unknown");
  });
});
