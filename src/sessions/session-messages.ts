/**
 * The WebSocket bridge's client → server messages. A message that does not parse gets an
 * `error` message back; the connection stays open.
 */
import { z } from "zod";

const contentBlock = z.looseObject({ type: z.string() });

export const clientMessageSchema = z.discriminatedUnion("type", [
  z.object({ type: z.literal("user_message"), content: z.union([z.string().min(1), z.array(contentBlock).min(1)]) }),
  z.object({ type: z.literal("interrupt") }),
  z.object({ type: z.literal("set_model"), model: z.string().min(1) }),
  z.object({ type: z.literal("set_permission_mode"), mode: z.string().min(1) }),
  z.object({
    type: z.literal("permission_response"),
    request_id: z.string().min(1),
    behavior: z.enum(["allow", "deny"]),
    updated_input: z.record(z.string(), z.unknown()).optional(),
    message: z.string().optional(),
  }),
]);

export type ClientMessage = z.output<typeof clientMessageSchema>;

export type ParsedClientMessage = { ok: true; message: ClientMessage } | { ok: false; error: string };

export function parseClientMessage(text: string): ParsedClientMessage {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return { ok: false, error: "Messages must be JSON objects." };
  }
  const result = clientMessageSchema.safeParse(json);
  if (result.success) return { ok: true, message: result.data };
  const issue = result.error.issues[0];
  const where = issue?.path.length ? ` at '${issue.path.join(".")}'` : "";
  return { ok: false, error: `Invalid message${where}: ${issue?.message ?? "not understood"}.` };
}
