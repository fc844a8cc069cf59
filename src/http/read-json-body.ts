/**
 * The request body as JSON, or OpenAI's 400 for a body that does not parse. Only a body declared
 * as JSON is read: a browser form (text/plain, urlencoded, multipart) can be sent cross-site
 * without a preflight, a JSON body cannot — so no page can smuggle a request in as a form.
 */
import type { Context } from "hono";
import { GatewayError, invalidRequest } from "../errors.js";
import { connectionOf } from "./connection-of.js";

/** `optional`: an empty body reads as `{}` (endpoints whose every field is optional). */
export async function readJsonBody(context: Context, options: { optional?: boolean } = {}): Promise<unknown> {
  const type = context.req.header("content-type");
  const text = await context.req.text().catch((error: unknown) => {
    throw bodyNotReceived(context, error);
  });
  if (options.optional && text.trim() === "" && type === undefined) return {};
  if (!isJsonType(type)) {
    throw new GatewayError(
      `The request body must be JSON, sent with 'Content-Type: application/json' (got ${type === undefined ? "none" : JSON.stringify(type)}).`,
      { status: 415, type: "invalid_request_error", code: "unsupported_media_type", retryable: false },
    );
  }
  if (options.optional && text.trim() === "") return {};
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    throw invalidRequest(
      "We could not parse the JSON body of your request. (HINT: This likely means you aren't using your HTTP library correctly. The API expects a JSON payload.)",
    );
  }
  // JSON.parse takes any depth, but every recursive walk after it (schemas, hashing, storing the
  // input again) would overflow the stack on a body nested thousands deep — after the turn ran.
  const tooDeep = fieldNestedDeeperThan(body, maxNesting);
  if (tooDeep !== undefined) {
    throw invalidRequest(`'${tooDeep}' is nested more than ${maxNesting} levels deep.`, tooDeep, "nesting_too_deep");
  }
  return body;
}

/** Far deeper than any real request (JSON schemas nest a few dozen levels at most). */
const maxNesting = 100;

/** The top-level field whose value nests deeper than `max` (the body itself: ""), if any. */
function fieldNestedDeeperThan(value: unknown, max: number): string | undefined {
  const stack: Array<[unknown, number, string]> = [[value, 0, ""]];
  for (let next = stack.pop(); next; next = stack.pop()) {
    const [node, depth, field] = next;
    if (typeof node !== "object" || node === null) continue;
    if (depth >= max) return field;
    for (const [key, child] of Object.entries(node)) stack.push([child, depth + 1, depth === 0 ? key : field]);
  }
  return undefined;
}

function isJsonType(type: string | undefined): boolean {
  const essence = type?.split(";")[0]?.trim().toLowerCase();
  return essence === "application/json" || (essence?.startsWith("application/") === true && essence.endsWith("+json"));
}

/**
 * The body stopped arriving: the client went away, or Node cut the connection at
 * server.body_timeout_seconds (it has already answered 408). Neither is the gateway's fault, so
 * neither is logged as an error.
 */
function bodyNotReceived(context: Context, error: unknown): GatewayError {
  const timedOut = (connectionOf(context)?.errored as { code?: string } | null)?.code === "ERR_HTTP_REQUEST_TIMEOUT";
  if (timedOut) {
    return new GatewayError("The request body did not arrive within server.body_timeout_seconds.", {
      status: 408,
      type: "invalid_request_error",
      code: "request_timeout",
      cause: error,
    });
  }
  return new GatewayError("The client closed the request before its body arrived.", {
    status: 499,
    type: "invalid_request_error",
    code: "client_closed_request",
    cause: error,
  });
}
