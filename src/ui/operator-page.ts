/**
 * The operator's page (GET /ui): plain files in page/ beside this module — HTML, CSS, an icon and
 * browser ES modules with no build step of their own — read once, when the app is built. The
 * package's build copies page/ to dist/ui/page/, so the installed gateway serves what the source
 * tree does. The files hold no data: every number on the page comes from the API, with the key
 * the person types.
 */
import { createHash } from "node:crypto";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { extname } from "node:path";

export interface PageAsset {
  body: string;
  contentType: string;
  etag: string;
}

const contentTypes: Record<string, string> = {
  ".html": "text/html; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".svg": "image/svg+xml",
};

/** The page's files by name (`index.html`, `main.js`, …); empty when a build left them out. */
export function readOperatorPage(directory = new URL("./page/", import.meta.url)): ReadonlyMap<string, PageAsset> {
  const assets = new Map<string, PageAsset>();
  if (!existsSync(directory)) return assets;
  for (const name of readdirSync(directory)) {
    const contentType = contentTypes[extname(name)];
    if (!contentType) continue;
    const body = readFileSync(new URL(name, directory), "utf8");
    const etag = `"${createHash("sha256").update(body).digest("base64url").slice(0, 22)}"`;
    assets.set(name, { body, contentType, etag });
  }
  return assets;
}
