/** The request body as JSON, or OpenAI's 400 for a body that does not parse. */
import type { Context } from "hono";
import { invalidRequest } from "../errors.js";

/** `optional`: an empty body reads as `{}` (endpoints whose every field is optional). */
export async function readJsonBody(context: Context, options: { optional?: boolean } = {}): Promise<unknown> {
  const text = await context.req.text();
  if (options.optional && text.trim() === "") return {};
  try {
    return JSON.parse(text);
  } catch {
    throw invalidRequest(
      "We could not parse the JSON body of your request. (HINT: This likely means you aren't using your HTTP library correctly. The OpenAI API expects a JSON payload.)",
    );
  }
}
