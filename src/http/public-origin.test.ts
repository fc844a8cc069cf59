import { describe, expect, it } from "vitest";
import { configurationSchema } from "../config/configuration-schema.js";
import { createPublicOriginOf } from "./public-origin.js";

const forwarded = { "x-forwarded-proto": "https", "x-forwarded-host": "api.example.com", host: "127.0.0.1:8080" };

function arrived(remoteAddress: string | undefined, headers: Record<string, string> = forwarded) {
  return { remoteAddress, protocol: "http:" as const, header: (name: string) => headers[name] };
}

describe("createPublicOriginOf", () => {
  it("ignores X-Forwarded-* when no proxy is trusted, whoever sends them", () => {
    const of = createPublicOriginOf([]);
    expect(of(arrived("127.0.0.1"))).toEqual({ protocol: "http:", host: "127.0.0.1:8080" });
    expect(of(arrived(undefined))).toEqual({ protocol: "http:", host: "127.0.0.1:8080" });
  });

  it("believes them only from a trusted address or range, IPv4-mapped addresses included", () => {
    const of = createPublicOriginOf(["10.1.2.3", "192.168.0.0/16", "fd00::/8"]);
    const believed = { protocol: "https:", host: "api.example.com" };
    expect(of(arrived("10.1.2.3"))).toEqual(believed);
    expect(of(arrived("::ffff:10.1.2.3"))).toEqual(believed);
    expect(of(arrived("192.168.77.5"))).toEqual(believed);
    expect(of(arrived("fd12::1"))).toEqual(believed);
    for (const stranger of ["10.1.2.4", "127.0.0.1", "::1", "fe80::1", undefined]) {
      expect(of(arrived(stranger))).toEqual({ protocol: "http:", host: "127.0.0.1:8080" });
    }
  });

  it("takes the trusted proxy's own word from a list, and drops what is not a scheme or a host", () => {
    const of = createPublicOriginOf(["127.0.0.1"]);
    const listed = { "x-forwarded-proto": "http, https", "x-forwarded-host": "evil.example, api.example.com:8443" };
    expect(of(arrived("127.0.0.1", { ...listed, host: "x" }))).toEqual({
      protocol: "https:",
      host: "api.example.com:8443",
    });
    const garbage = { "x-forwarded-proto": "gopher", "x-forwarded-host": "a b/c", host: "127.0.0.1:8080" };
    expect(of(arrived("127.0.0.1", garbage))).toEqual({ protocol: "http:", host: "127.0.0.1:8080" });
    // Without the headers, the request's own.
    expect(of(arrived("127.0.0.1", { host: "localhost:1" }))).toEqual({ protocol: "http:", host: "localhost:1" });
  });

  it("takes server.trusted_proxies as addresses or CIDR ranges only", () => {
    const parse = (trusted_proxies: string[]) => configurationSchema.parse({ server: { trusted_proxies } });
    expect(parse(["127.0.0.1", "::1", "10.0.0.0/8", "fd00::/8"]).server.trusted_proxies).toHaveLength(4);
    for (const wrong of ["localhost", "10.0.0.0/33", "::/129", "10.0.0.0/8/1", "10.0.0.0/", ""]) {
      expect(() => parse([wrong]), wrong).toThrow(/IP address or a CIDR range/);
    }
  });
});
