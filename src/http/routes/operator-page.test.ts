import { describe, expect, it } from "vitest";
import type { GatewayError } from "../../errors.js";
import { readOperatorPage } from "../../ui/operator-page.js";
import { operatorPageRoutes } from "./operator-page.js";

const page = readOperatorPage();
const routes = operatorPageRoutes(page);

describe("GET /ui", () => {
  it("serves the page and its assets with a strict policy, revalidated by ETag", async () => {
    const response = await routes.request("/ui");
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toBe("text/html; charset=utf-8");
    const policy = response.headers.get("content-security-policy") ?? "";
    expect(policy).toContain("default-src 'self'");
    expect(policy).toContain("frame-ancestors 'none'");
    expect(policy).not.toContain("unsafe-inline");
    expect(response.headers.get("x-content-type-options")).toBe("nosniff");
    const etag = response.headers.get("etag") ?? "";
    expect((await routes.request("/ui", { headers: { "if-none-match": etag } })).status).toBe(304);
    const script = await routes.request("/ui/main.js");
    expect(script.headers.get("content-type")).toBe("text/javascript; charset=utf-8");
    expect(script.headers.get("x-content-type-options")).toBe("nosniff");
    expect((await routes.request("/ui/style.css")).headers.get("content-type")).toBe("text/css; charset=utf-8");
    expect((await routes.request("/ui/")).headers.get("location")).toBe("../ui");
    expect((await routes.request("/ui/nothing.js")).status).toBe(404);
  });

  it("has no inline script or style, and every file the page loads is served", () => {
    const html = page.get("index.html")?.body ?? "";
    expect(html).not.toMatch(/<script(?![^>]*\bsrc=)[^>]*>|<style|\sstyle=|\son[a-z]+=/i);
    const scripts = [...page.values()].filter((asset) => asset.contentType.startsWith("text/javascript"));
    const linked = [
      ...[...html.matchAll(/(?:src|href)="ui\/([^"]+)"/g)].map((match) => match[1]),
      ...scripts.flatMap((asset) => [...asset.body.matchAll(/from "\.\/([^"]+)"/g)].map((match) => match[1])),
    ];
    expect(linked.length).toBeGreaterThan(5);
    for (const name of linked) expect(page.has(name ?? ""), name).toBe(true);
  });

  it("says so when a build left the files out", async () => {
    const bare = operatorPageRoutes(new Map());
    bare.onError((error, context) => context.json({ status: (error as GatewayError).status, message: error.message }));
    const answer = (await (await bare.request("/ui")).json()) as { status: number; message: string };
    expect(answer.status).toBe(404);
    expect(answer.message).toContain("dist/ui/page");
  });
});
