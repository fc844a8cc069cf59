/** What middleware puts on every request's context, for the routes after it. */
import type { Caller } from "../auth/caller.js";
import type { PublicOrigin } from "./public-origin.js";

export interface GatewayEnv {
  Variables: {
    /** Who calls: its key's owner id, name, grants and limits (the operator without keys). */
    caller: Caller;
    /** The caller's owner id (from its API key; "" without keys). Conversations and sessions belong to it. */
    owner: string;
    /** Echoed from `x-request-id` or generated; in the response header, log lines and error bodies. */
    requestId: string;
    /** The scheme and host the client used (a trusted proxy's X-Forwarded-*, else the request's own). */
    publicOrigin: PublicOrigin;
    /** Sent on by another instance (its internal credential checked): never sent on again. */
    forwarded?: boolean;
  };
}
