/**
 * Who a request sent on by another instance acts for: the owner its internal credential vouches
 * for. A request that carries the credential header but fails the check is refused outright — it
 * never falls back to being an ordinary request.
 */
import type { ApiKeys } from "../../auth/api-keys.js";
import type { Caller } from "../../auth/caller.js";
import { forwardedHeader, forwardedOwnerHeader, type InternalCredential } from "../../cluster/internal-credential.js";
import { GatewayError } from "../../errors.js";

export type ForwardedCheck = { kind: "direct" } | { kind: "forwarded"; caller: Caller } | { kind: "refused" };

export async function checkForwarded(
  credential: InternalCredential | undefined,
  keys: ApiKeys,
  /** `path`: path and query as received — read only for a request that carries the credential. */
  request: { header(name: string): string | undefined; method: string; path(): string },
): Promise<ForwardedCheck> {
  const header = request.header(forwardedHeader);
  if (header === undefined) return { kind: "direct" };
  const owner = await credential?.verify(header, {
    method: request.method,
    path: request.path(),
    owner: request.header(forwardedOwnerHeader),
  });
  const caller = owner === undefined ? undefined : keys.callerOfOwner(owner);
  return caller ? { kind: "forwarded", caller } : { kind: "refused" };
}

export function notFromAnInstance(): GatewayError {
  return new GatewayError("This request claims to be sent on by another gateway instance, and is not.", {
    status: 401,
    type: "authentication_error",
    code: "invalid_internal_credential",
    retryable: false,
  });
}
