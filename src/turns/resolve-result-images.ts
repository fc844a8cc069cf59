/**
 * The images of a client's tool results, read and checked as a message's are (resolve-images.ts),
 * all of a request's at once so one limit counts them; the waiting turn's calls get them as image
 * data (the client tool server's MCP image content, or a fork's tool_result blocks).
 */
import type { ContentBlock } from "../claude/protocol.js";
import type { AnsweredCall } from "./engine-turn.js";
import { type ImageLimits, resolveImages } from "./resolve-images.js";
import type { ToolResultInput } from "./turn-request.js";

export async function resolveResultImages(
  results: readonly ToolResultInput[],
  limits: ImageLimits,
): Promise<AnsweredCall[]> {
  const requested = results.flatMap((result) => result.images ?? []);
  const blocks = await resolveImages(
    requested.map((image) => ({ type: "image_request", ...image })),
    limits,
  );
  let next = 0;
  return results.map(({ callId, text, isError, images = [] }) => {
    const own = blocks.slice(next, next + images.length);
    next += images.length;
    return { callId, text, isError, images: own.flatMap(base64Of) };
  });
}

/** A resolved image block's bytes, when it has them (a URL image has none to give). */
function base64Of(block: ContentBlock): Array<{ mediaType: string; data: string }> {
  const source = (block as { source?: { type?: string; media_type?: string; data?: string } }).source;
  if (source?.type !== "base64" || !source.media_type || !source.data) return [];
  return [{ mediaType: source.media_type, data: source.data }];
}
