/**
 * image_url parts with the real CLI and the mock (which describes the image blocks it received):
 * data URLs of each type, http(s) URLs passed on, local files only inside allowed directories,
 * and the limits.
 */
import { mkdirSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type ClaudeTestEnvironment, createClaudeTestEnvironment } from "../support/claude-test-environment.js";
import { startTestGateway, type TestGateway } from "../support/start-test-gateway.js";

const png = "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAQAAAC1HAwCAAAAC0lEQVR42mNkYAAAAAYAAjCB0C8AAAAASUVORK5CYII=";
const gif = "R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAIBRAA7";
const webp = "UklGRhoAAABXRUJQVlA4TA0AAAAvAAAAEAcQERGIiP4HAA==";
const jpeg =
  "/9j/4AAQSkZJRgABAQEASABIAAD/2wBDAP//////////////////////////////////////////////////////////////////////////////////////wgALCAABAAEBAREA/8QAFBABAAAAAAAAAAAAAAAAAAAAAP/aAAgBAQABPxA=";
const bytes = (base64: string) => Buffer.from(base64, "base64").length;

let environment: ClaudeTestEnvironment;
let test: TestGateway;
let allowed: string;
let forbidden: string;
beforeAll(async () => {
  environment = await createClaudeTestEnvironment();
  allowed = join(environment.directory, "allowed");
  forbidden = join(environment.directory, "forbidden");
  mkdirSync(allowed);
  mkdirSync(forbidden);
  writeFileSync(join(allowed, "dot.png"), Buffer.from(png, "base64"));
  writeFileSync(join(forbidden, "secret.png"), Buffer.from(png, "base64"));
  writeFileSync(join(allowed, "big.png"), Buffer.concat([Buffer.from(png, "base64"), Buffer.alloc(4096)]));
  symlinkSync(join(forbidden, "secret.png"), join(allowed, "link.png"));
  writeFileSync(join(allowed, "..dots.png"), Buffer.from(png, "base64"));
  test = await startTestGateway({
    environment,
    // Reading local files is file access: the operator's agent grant.
    agent: { enabled: true },
    file_access: { additional_dirs: [allowed] },
    images: { max_bytes: 2048, max_per_request: 4 },
  });
});
afterAll(async () => {
  await test.close();
  await environment.close();
});

async function ask(...urls: string[]) {
  const response = await test.post({
    model: "sonnet",
    messages: [
      {
        role: "user",
        content: [{ type: "text", text: "Look." }, ...urls.map((url) => ({ type: "image_url", image_url: { url } }))],
      },
    ],
  });
  const body = (await response.json()) as {
    choices?: Array<{ message: { content: string } }>;
    error?: { code: string; param: string };
  };
  return { status: response.status, content: body.choices?.[0]?.message.content, error: body.error };
}

describe("images", () => {
  it("sends data URLs of each type as image blocks, the type judged from the bytes", async () => {
    const reply = await ask(
      `data:image/png;base64,${png}`,
      `data:image/gif;base64,${gif}`,
      `data:image/webp;base64,${webp}`,
      // Declared as JPEG, but the bytes are PNG: the bytes win.
      `data:image/jpeg;base64,${png}`,
    );
    expect(reply.status).toBe(200);
    expect(reply.content).toBe(
      `ECHO: Look. [images: image/png ${bytes(png)}B, image/gif ${bytes(gif)}B, image/webp ${bytes(webp)}B, image/png ${bytes(png)}B]`,
    );
    const jpegReply = await ask(`data:image/jpeg;base64,${jpeg}`);
    expect(jpegReply.content).toBe(`ECHO: Look. [images: image/jpeg ${bytes(jpeg)}B]`);
  });

  it("passes http(s) URLs on as URL images, without fetching them — not even on a private network", async () => {
    // A URL on the gateway's own loopback network (the mock's server): had the gateway or the
    // CLI fetched it, the mock would have seen a GET for it.
    const url = `${environment.mock.url}/private/cat.png`;
    const reply = await ask(url);
    expect(reply.content).toBe(`ECHO: Look. [images: url ${url}]`);
    expect(environment.mock.requests.some((request) => request.url.startsWith("/private/"))).toBe(false);
    expect((await ask("https://example.com/cat.png")).content).toBe(
      "ECHO: Look. [images: url https://example.com/cat.png]",
    );
  });

  it("reads local images only inside file_access.additional_dirs", async () => {
    const inside = await ask(join(allowed, "dot.png"));
    expect(inside.content).toBe(`ECHO: Look. [images: image/png ${bytes(png)}B]`);
    const byUrl = await ask(pathToFileURL(join(allowed, "dot.png")).href);
    expect(byUrl.status).toBe(200);
    // A name that starts with two dots is a file inside, not a way out.
    expect((await ask(join(allowed, "..dots.png"))).status).toBe(200);
    for (const path of [
      join(forbidden, "secret.png"),
      join(allowed, "link.png"),
      join(allowed, "../forbidden/secret.png"),
      "/etc/passwd",
      join(allowed, "missing.png"),
    ]) {
      const outside = await ask(path);
      expect(outside.status, path).toBe(400);
      expect(outside.error).toMatchObject({
        code: "image_path_not_allowed",
        param: "messages[0].content[1].image_url",
      });
    }
  });

  it("refuses what is too large, not an image, too many, or no URL at all", async () => {
    expect((await ask(join(allowed, "big.png"))).error?.code).toBe("image_too_large");
    expect((await ask(join(allowed, "big.png"))).status).toBe(413);
    const large = Buffer.concat([Buffer.from(png, "base64"), Buffer.alloc(4096)]).toString("base64");
    expect((await ask(`data:image/png;base64,${large}`)).status).toBe(413);
    const text = await ask(`data:image/png;base64,${Buffer.from("<svg></svg>").toString("base64")}`);
    expect(text).toMatchObject({ status: 400, error: { code: "unsupported_image_type" } });
    const many = await ask(...Array.from({ length: 5 }, () => `data:image/png;base64,${png}`));
    expect(many).toMatchObject({ status: 400, error: { code: "too_many_images" } });
    expect((await ask("ftp://example.com/x.png")).error?.code).toBe("invalid_image_url");
    expect((await ask("data:image/png,not-base64")).error?.code).toBe("invalid_image_url");
    // A URL is kept in the transcript and store; a long one would be payload past every image limit.
    const long = await ask(`https://example.com/${"x".repeat(8200)}.png`);
    expect(long).toMatchObject({ status: 400, error: { code: "invalid_image_url" } });
  });

  it("reads no local file for a caller without the agent grant (403), while data URLs still work", async () => {
    const modelOnly = await startTestGateway({ environment, file_access: { additional_dirs: [allowed] } });
    try {
      const post = (url: string) =>
        modelOnly.post({
          model: "sonnet",
          messages: [
            {
              role: "user",
              content: [
                { type: "text", text: "Look." },
                { type: "image_url", image_url: { url } },
              ],
            },
          ],
        });
      const local = await post(join(allowed, "dot.png"));
      expect(local.status).toBe(403);
      expect(((await local.json()) as { error: { code: string; message: string } }).error).toMatchObject({
        code: "permission_denied",
        message: expect.stringContaining("'agent'"),
      });
      expect((await post(`data:image/png;base64,${png}`)).status).toBe(200);
    } finally {
      await modelOnly.close();
    }
  });
});
