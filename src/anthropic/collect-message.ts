/** A turn's events → one Messages API answer (the non-streaming response), by the stream's own fold. */
import type { Message } from "@anthropic-ai/sdk/resources/messages/messages";
import type { TurnEvent } from "../turns/turn-event.js";
import { MessageAssembly } from "./message-assembly.js";
import type { MessageRendering } from "./message-object.js";

/** Collects up to the end of the turn, or up to a pause for client tool calls (`tool_use`). */
export async function collectMessage(output: AsyncIterable<TurnEvent>, rendering: MessageRendering): Promise<Message> {
  const assembly = new MessageAssembly(rendering, false);
  for await (const event of output) {
    for (const _streamEvent of assembly.add(event)) {
      // Only the assembled message is wanted.
    }
    if (assembly.done) return assembly.message();
  }
  // readTurnOutput either finishes or throws; reaching here is a bug.
  throw new Error("the assistant output ended without finishing");
}
