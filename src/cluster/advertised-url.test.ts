import { describe, expect, it } from "vitest";
import { ConfigurationError } from "../config/configuration-error.js";
import { configurationSchema } from "../config/configuration-schema.js";
import { advertisedUrl, checkAdvertising } from "./advertised-url.js";

const configured = (server: Record<string, unknown>, url = "redis://127.0.0.1:6379") =>
  configurationSchema.parse({ data_dir: "/tmp/ccapi-advertise", server, store: { url } });

describe("the advertised address", () => {
  it("is required of an instance sharing Redis that listens on every address", () => {
    for (const host of ["0.0.0.0", "::"]) {
      expect(() => checkAdvertising(configured({ host }))).toThrow(ConfigurationError);
      expect(() => checkAdvertising(configured({ host }))).toThrow(/server\.advertise_url is required/);
      expect(() => checkAdvertising(configured({ host, advertise_url: "http://10.0.0.5:8080" }))).not.toThrow();
    }
    // One address, or no Redis: nothing to tell.
    expect(() => checkAdvertising(configured({ host: "10.0.0.5" }))).not.toThrow();
    expect(() => checkAdvertising(configured({ host: "0.0.0.0" }, "sqlite:/tmp/x.sqlite"))).not.toThrow();
  });

  it("is the configured one, else the address listened on", () => {
    expect(
      advertisedUrl(configured({ advertise_url: "https://gw-2.internal:8443/" }).server, "http://127.0.0.1:1"),
    ).toBe("https://gw-2.internal:8443");
    expect(advertisedUrl(configured({}).server, "http://127.0.0.1:43210")).toBe("http://127.0.0.1:43210");
  });
});
