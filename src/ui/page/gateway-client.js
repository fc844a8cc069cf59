/**
 * Calls to the gateway from the page. Every call carries the key the person typed (kept in
 * sessionStorage: gone with the tab, never sent anywhere but this gateway); with no key typed the
 * call goes without one, which keyless loopback answers as the operator. Paths are relative to the
 * page, so a gateway served under a path prefix by a proxy still finds its API.
 */

const keyName = "claude-code-api.key";

export function storedKey() {
  return sessionStorage.getItem(keyName) ?? "";
}

export function storeKey(key) {
  if (key) sessionStorage.setItem(keyName, key);
  else sessionStorage.removeItem(keyName);
}

/** The absolute URL of a gateway path (`v1/models`, `stats`). */
export function gatewayUrl(path) {
  return new URL(path, document.baseURI).href;
}

export class GatewayRequestError extends Error {
  constructor(status, message, code) {
    super(message);
    this.status = status;
    this.code = code;
  }
}

/** The response, or a GatewayRequestError with the gateway's own message for a status other than 2xx. */
export async function request(path, init = {}) {
  const headers = new Headers(init.headers);
  const key = storedKey();
  if (key) headers.set("authorization", `Bearer ${key}`);
  let response;
  try {
    response = await fetch(gatewayUrl(path), { ...init, headers, cache: "no-store" });
  } catch (error) {
    if (error.name === "AbortError") throw error;
    throw new GatewayRequestError(0, "The gateway cannot be reached.", "unreachable");
  }
  if (!response.ok) throw await requestError(response);
  return response;
}

export async function getJson(path) {
  return (await request(path)).json();
}

async function requestError(response) {
  let message = `${response.status} ${response.statusText}`;
  let code;
  try {
    const body = await response.json();
    message = body?.error?.message ?? message;
    code = body?.error?.code;
  } catch {
    // Not the gateway's JSON (a proxy's page): the status says enough.
  }
  return new GatewayRequestError(response.status, message, code);
}
