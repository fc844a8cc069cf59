/** What middleware puts on every request's context, for the routes after it. */
export interface GatewayEnv {
  Variables: {
    /** The caller's owner id (from its API key; "" without keys). Conversations and sessions belong to it. */
    owner: string;
    /** Echoed from `x-request-id` or generated; in the response header, log lines and error bodies. */
    requestId: string;
  };
}
