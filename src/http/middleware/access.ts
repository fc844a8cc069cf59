/**
 * The gate every request passes: a request id, the client's scheme and host (believing a trusted
 * proxy's X-Forwarded-*), the browser guard (Host and Origin), the caller's
 * key (401 without a valid one when keys are configured), and the key's limits — held until the
 * response is fully sent, streams included — except for requests that free what the key holds.
 */
import { randomBytes } from "node:crypto";
import type { Context, MiddlewareHandler } from "hono";
import type { ApiKeys } from "../../auth/api-keys.js";
import type { Caller } from "../../auth/caller.js";
import type { KeyLimits } from "../../auth/key-limits.js";
import type { InternalCredential } from "../../cluster/internal-credential.js";
import { GatewayError } from "../../errors.js";
import type { BrowserGuard } from "../browser-guard.js";
import { connectionOf } from "../connection-of.js";
import { checkForwarded, notFromAnInstance } from "../forwarding/forwarded-caller.js";
import { isRunHere } from "../forwarding/send-owned-elsewhere.js";
import type { GatewayEnv } from "../gateway-env.js";
import type { PublicOriginOf } from "../public-origin.js";
import { afterResponse } from "./body-end.js";

const requestIdPattern = /^[A-Za-z0-9._:-]{1,128}$/;

export function requestId(): MiddlewareHandler<GatewayEnv> {
  return async (context, next) => {
    const given = context.req.header("x-request-id");
    const id = given && requestIdPattern.test(given) ? given : `req_${randomBytes(12).toString("hex")}`;
    context.set("requestId", id);
    context.header("x-request-id", id);
    // Anthropic's clients read it from `request-id`.
    context.header("request-id", id);
    await next();
  };
}

/** Once per request: what the routes and the browser guard take for the client's scheme and host. */
export function resolvePublicOrigin(publicOriginOf: PublicOriginOf): MiddlewareHandler<GatewayEnv> {
  return async (context, next) => {
    const url = new URL(context.req.url);
    context.set(
      "publicOrigin",
      publicOriginOf({
        remoteAddress: connectionOf(context)?.remoteAddress,
        protocol: url.protocol === "https:" ? "https:" : "http:",
        header: (name) => context.req.header(name),
      }),
    );
    await next();
  };
}

/** The key from `Authorization: Bearer …` or `x-api-key`. */
export function presentedKey(headers: { get(name: string): string | null | undefined }): string | undefined {
  const bearer = /^Bearer\s+(.+)$/i.exec(headers.get("authorization") ?? "")?.[1]?.trim();
  return bearer || headers.get("x-api-key")?.trim() || undefined;
}

/**
 * A request another instance sent on (work of this one's): its internal credential stands for the
 * caller's key, and the instance that took it from the client checked its Host, Origin and limits.
 */
export function acceptForwarded(
  credential: InternalCredential | undefined,
  keys: ApiKeys,
): MiddlewareHandler<GatewayEnv> {
  return async (context, next) => {
    const check = await checkForwarded(credential, keys, {
      header: (name) => context.req.header(name),
      method: context.req.method,
      path: () => {
        const url = new URL(context.req.url);
        return url.pathname + url.search;
      },
    });
    if (check.kind === "refused") throw notFromAnInstance();
    if (check.kind === "forwarded") {
      setCaller(context, check.caller);
      context.set("forwarded", true);
    }
    await next();
  };
}

/**
 * Host and Origin, before anything else: a refused page learns nothing and starts nothing. Only
 * liveness is exempt (load balancers use whatever name they know; it says nothing but "ok"). Behind
 * a trusted proxy the host checked is the one the client sent it (X-Forwarded-Host).
 */
export function guardBrowsers(guard: BrowserGuard): MiddlewareHandler<GatewayEnv> {
  return async (context, next) => {
    if (context.req.path === "/health" || context.get("forwarded")) return next();
    const host = context.get("publicOrigin").host;
    const refusal = guard.checkHost(host) ?? guard.checkOrigin(context.req.header("origin"), host);
    if (refusal) throw refusal;
    await next();
  };
}

export function authenticate(keys: ApiKeys): MiddlewareHandler<GatewayEnv> {
  return async (context, next) => {
    if (context.get("forwarded")) return next();
    const caller = keys.callerFor(presentedKey(context.req.raw.headers));
    if (caller === undefined) {
      throw new GatewayError(
        "Missing or invalid API key: send it as 'Authorization: Bearer <key>' or 'x-api-key: <key>'.",
        { status: 401, type: "authentication_error", code: "invalid_api_key", retryable: false },
      );
    }
    setCaller(context, caller);
    await next();
  };
}

/** Open routes (health): a valid key, when presented, says who asks; nothing is refused. */
export function authenticateIfPresented(keys: ApiKeys): MiddlewareHandler<GatewayEnv> {
  return async (context, next) => {
    if (context.get("forwarded")) return next();
    const caller = keys.callerFor(presentedKey(context.req.raw.headers));
    if (caller) setCaller(context, caller);
    await next();
  };
}

function setCaller(context: Context<GatewayEnv>, caller: Caller): void {
  context.set("caller", caller);
  context.set("owner", caller.owner);
}

export function limitPerKey(limits: KeyLimits): MiddlewareHandler<GatewayEnv> {
  return async (context, next) => {
    // DELETE ends a session or a conversation: a key at its limits must still be able to free what
    // holds them, so it is neither refused nor counted. (A session's interrupt is a WebSocket
    // message, which the limits never see; only its turns are counted.)
    if (context.req.method === "DELETE") return next();
    // Sent on by the instance that admitted it, which holds its place until the answer ends; or
    // run here again after the instance it was sent to was gone (admitted already, the first time).
    if (context.get("forwarded") || isRunHere(context.req.raw)) return next();
    const release = await limits.admit(context.get("caller"));
    // A streamed answer is still running: the request ends when its body does.
    await afterResponse(context, next, release);
  };
}
