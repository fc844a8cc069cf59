/**
 * A list only every instance together knows (the caller's live sessions): each peer is asked for
 * its own, with the internal credential, at once. A peer that does not answer within a few seconds
 * is left out (and logged): its sessions are as good as gone to the caller.
 */
import type { Context } from "hono";
import type { Cluster } from "../../cluster/cluster.js";
import type { Logger } from "../../observability/logger.js";
import type { GatewayEnv } from "../gateway-env.js";
import { exchangeWithPeer } from "./peer-request.js";

const peerWaitMs = 5_000;

export async function listFromPeers(
  context: Context<GatewayEnv>,
  cluster: Cluster,
  logger: Logger,
): Promise<unknown[]> {
  const { credential } = cluster;
  if (!credential) return [];
  const path = new URL(context.req.url).pathname;
  const peers = await cluster.peers();
  const lists = await Promise.all(
    peers.map(async (peer) => {
      try {
        const answer = await exchangeWithPeer({
          to: peer.id,
          base: peer.url,
          answerWithinMs: peerWaitMs,
          method: "GET",
          path,
          owner: context.get("owner"),
          headers: { "x-request-id": context.get("requestId") },
          credential,
          signal: AbortSignal.timeout(peerWaitMs),
        });
        const chunks: Buffer[] = [];
        for await (const chunk of answer) chunks.push(chunk as Buffer);
        if (answer.statusCode !== 200) throw new Error(`status ${answer.statusCode}`);
        const body = JSON.parse(Buffer.concat(chunks).toString("utf8")) as { data?: unknown[] };
        return body.data ?? [];
      } catch (error) {
        logger.warn({ instance: peer.id, error: String(error) }, "an instance did not list its part");
        return [];
      }
    }),
  );
  return lists.flat();
}
