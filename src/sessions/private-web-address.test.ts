import { describe, expect, it } from "vitest";
import { isPrivateWebAddress } from "./private-web-address.js";

describe("isPrivateWebAddress", () => {
  it("knows the gateway's own network however it is written, and lets public addresses through", async () => {
    for (const url of [
      "http://127.0.0.1:8080/",
      "http://localhost/",
      "http://169.254.169.254/latest/meta-data",
      "http://10.1.2.3/",
      "http://192.168.0.1/",
      "http://[::1]/",
      "http://[::ffff:127.0.0.1]:18124/",
      "http://[::ffff:a9fe:a9fe]/",
      "http://[fd00::1]/",
      "not a url",
    ]) {
      expect(await isPrivateWebAddress(url), url).toBe(true);
    }
    expect(await isPrivateWebAddress("http://93.184.216.34/")).toBe(false);
    expect(await isPrivateWebAddress("http://[2606:2800:220:1:248:1893:25c8:1946]/")).toBe(false);
  });
});
