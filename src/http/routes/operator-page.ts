/**
 * GET /ui and its assets: the operator's page, open without a key (it holds no data; its calls to
 * the API carry the key typed into it). A strict policy: scripts, styles and connections only from
 * the gateway itself, no inline script, never framed.
 */
import { Hono } from "hono";
import { notFound } from "../../errors.js";
import { type PageAsset, readOperatorPage } from "../../ui/operator-page.js";
import type { GatewayEnv } from "../gateway-env.js";

const contentSecurityPolicy = [
  "default-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join("; ");

export function operatorPageRoutes(assets: ReadonlyMap<string, PageAsset> = readOperatorPage()): Hono<GatewayEnv> {
  const routes = new Hono<GatewayEnv>();
  for (const [name, asset] of assets) {
    routes.get(name === "index.html" ? "/ui" : `/ui/${name}`, (context) => {
      context.header("content-security-policy", contentSecurityPolicy);
      context.header("x-content-type-options", "nosniff");
      context.header("referrer-policy", "no-referrer");
      // Revalidated on every load: an upgraded gateway never runs yesterday's script.
      context.header("cache-control", "no-cache");
      context.header("etag", asset.etag);
      if (context.req.header("if-none-match") === asset.etag) return context.body(null, 304);
      context.header("content-type", asset.contentType);
      return context.body(asset.body);
    });
  }
  // The page's relative links resolve from /ui, not /ui/.
  routes.get("/ui/", (context) => context.redirect("../ui", 308));
  if (!assets.has("index.html")) {
    routes.get("/ui", () => {
      throw notFound(
        "This build of the gateway has no operator page (its files were not copied to dist/ui/page).",
        "unknown_url",
      );
    });
  }
  return routes;
}
