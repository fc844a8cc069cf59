/**
 * A turn's events → the Messages API's stream, in Anthropic's order: `message_start` (with the
 * input usage the upstream reported), a `ping`, each content block as `content_block_start`, its
 * deltas (`text_delta`, `thinking_delta`, `signature_delta`, `input_json_delta`) and
 * `content_block_stop`, then `message_delta` (stop_reason, usage) and `message_stop`. A pause for
 * client tool calls ends the message with `tool_use`, as Anthropic's own would.
 */
import type { TurnEvent } from "../turns/turn-event.js";
import { MessageAssembly, type MessageStreamEvent } from "./message-assembly.js";

export type { MessageStreamEvent } from "./message-assembly.js";

import type { MessageRendering } from "./message-object.js";

export async function* messageStreamEvents(
  output: AsyncIterable<TurnEvent>,
  rendering: MessageRendering,
): AsyncGenerator<MessageStreamEvent> {
  const assembly = new MessageAssembly(rendering, true);
  for await (const event of output) {
    yield* assembly.add(event);
    if (assembly.done) return;
  }
}
