/**
 * `image_url` parts → the CLI's image blocks, so images reach the model as images, never as paths:
 *   - `data:` URLs: decoded, size-checked, media type taken from the bytes (png, jpeg, gif, webp);
 *   - `http(s)://` URLs: passed on as URL image blocks — the CLI forwards them and Anthropic's API
 *     fetches them, so the gateway itself never fetches a caller's URL (no way into the gateway's
 *     private network);
 *   - local files (`file://` or an absolute path): file access, so only for callers granted the
 *     agent (else 403), and only inside `file_access.additional_dirs` (after resolving links), else 400.
 */
import { readFile, stat } from "node:fs/promises";
import { isAbsolute, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import type { ContentBlock } from "../claude/protocol.js";
import { GatewayError, invalidRequest } from "../errors.js";
import { realPathInside } from "../file-access/real-path-inside.js";
import { sniffImageType } from "./image-type.js";

/** What a dialect leaves for this step: an image part, by URL, with its param name. */
export interface ImageRequestBlock {
  type: "image_request";
  url: string;
  param: string;
}

export interface ImageLimits {
  maxBytes: number;
  maxPerRequest: number;
  /** Directories local images may be read from (file_access.additional_dirs). */
  allowedDirectories: readonly string[];
  /** The request field holding the messages, for errors (`messages`, `input`). */
  param: string;
  /** Throws when the caller may not read local files at all (no agent grant). */
  checkLocalAccess(): void;
}

export async function resolveImages(blocks: ContentBlock[], limits: ImageLimits): Promise<ContentBlock[]> {
  const count = blocks.filter((block) => block.type === "image_request").length;
  if (count > limits.maxPerRequest) {
    throw invalidRequest(
      `A request may carry at most ${limits.maxPerRequest} images (images.max_per_request); this one has ${count}.`,
      limits.param,
      "too_many_images",
    );
  }
  return Promise.all(
    blocks.map((block) =>
      block.type === "image_request" ? imageBlock(block as unknown as ImageRequestBlock, limits) : block,
    ),
  );
}

/** Real image URLs are short; a long one is payload smuggled past the image limits. */
const maxImageUrlLength = 8192;

async function imageBlock(request: ImageRequestBlock, limits: ImageLimits): Promise<ContentBlock> {
  const { url, param } = request;
  if (url.startsWith("data:")) return dataUrlImage(url, param, limits);
  if (/^https?:\/\//i.test(url)) {
    // The URL is kept (transcript, store) several times over and never counted as an image's bytes.
    if (url.length > maxImageUrlLength) {
      throw invalidRequest(
        `An image URL may be at most ${maxImageUrlLength} characters; send larger data as a data: URL.`,
        param,
        "invalid_image_url",
      );
    }
    try {
      new URL(url);
    } catch {
      throw invalidRequest("The image URL is not a valid URL.", param, "invalid_image_url");
    }
    return { type: "image", source: { type: "url", url } };
  }
  if (url.startsWith("file://") || isAbsolute(url)) return localImage(url, param, limits);
  throw invalidRequest(
    "An image must be a data: URL, an http(s) URL, or an absolute path inside an allowed directory.",
    param,
    "invalid_image_url",
  );
}

function dataUrlImage(url: string, param: string, limits: ImageLimits): ContentBlock {
  const match = /^data:([^;,]*)((?:;[^;,]*)*),(.*)$/s.exec(url);
  if (!match?.[2]?.split(";").includes("base64")) {
    throw invalidRequest(
      "An image data URL must be base64 encoded (data:<type>;base64,…).",
      param,
      "invalid_image_url",
    );
  }
  const data = (match[3] ?? "").replace(/\s/g, "");
  if ((data.length * 3) / 4 > limits.maxBytes + 3) throw imageTooLarge(param, limits);
  const bytes = Buffer.from(data, "base64");
  return base64Image(bytes, param, limits);
}

async function localImage(url: string, param: string, limits: ImageLimits): Promise<ContentBlock> {
  limits.checkLocalAccess();
  let path: string;
  try {
    path = url.startsWith("file://") ? fileURLToPath(url) : resolve(url);
  } catch {
    throw invalidRequest("The image file URL is not valid.", param, "invalid_image_url");
  }
  const real = await realPathInside(path, limits.allowedDirectories);
  const info = real === undefined ? undefined : await stat(real);
  // The same answer for a missing file and a forbidden one: a caller learns nothing about the disk.
  if (!real || !info?.isFile()) {
    throw invalidRequest(
      "Local image files are read only inside file_access.additional_dirs, and this path is not (or does not exist there).",
      param,
      "image_path_not_allowed",
    );
  }
  if (info.size > limits.maxBytes) throw imageTooLarge(param, limits);
  return base64Image(await readFile(real), param, limits);
}

function base64Image(bytes: Buffer, param: string, limits: ImageLimits): ContentBlock {
  if (bytes.length > limits.maxBytes) throw imageTooLarge(param, limits);
  const mediaType = sniffImageType(bytes);
  if (!mediaType) {
    throw invalidRequest(
      "Images must be PNG, JPEG, GIF or WebP (judged by their bytes).",
      param,
      "unsupported_image_type",
    );
  }
  return { type: "image", source: { type: "base64", media_type: mediaType, data: bytes.toString("base64") } };
}

function imageTooLarge(param: string, limits: ImageLimits): GatewayError {
  return new GatewayError(`The image is larger than the limit of ${limits.maxBytes} bytes (images.max_bytes).`, {
    status: 413,
    type: "invalid_request_error",
    param,
    code: "image_too_large",
  });
}
