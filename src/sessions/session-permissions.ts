/**
 * A live session's permission questions: the CLI's `can_use_tool` requests go to the clients as
 * `permission_request`, and the first answer wins — unless the gateway's own answer comes first: a
 * file tool's path outside the session's directories, or a WebFetch into the gateway's network,
 * is denied whatever a client says.
 */
import { randomBytes } from "node:crypto";
import { toolPathsInside } from "../file-access/tool-paths-inside.js";
import { isPrivateWebAddress } from "./private-web-address.js";
import type { ClientMessage } from "./session-messages.js";

type PermissionResponse = Extract<ClientMessage, { type: "permission_response" }>;

interface PendingPermission {
  toolName: unknown;
  input: unknown;
  resolve(answer: unknown): void;
}

const privateAddress = {
  behavior: "deny",
  message: "That URL points into the gateway's own network; the gateway does not allow it.",
};

const outsideRoom = {
  behavior: "deny",
  message: "That path is outside this session's directories; the gateway does not allow it.",
};

export class SessionPermissions {
  private readonly pending = new Map<string, PendingPermission>();

  constructor(
    private readonly cwd: string,
    /** Where file tools may work, whatever a client approves. */
    private readonly allowedDirectories: readonly string[],
    /** Sends a question to every client of the session. */
    private readonly broadcast: (message: { type: string; [key: string]: unknown }) => void,
  ) {}

  /** The CLI's `can_use_tool` request: resolves with the answer the CLI gets. */
  async ask(request: Record<string, unknown>): Promise<unknown> {
    // Nobody is asked what no client can allow.
    const refusal = await this.refusal(request.tool_name, request.input);
    if (refusal) return refusal;
    const requestId = `perm_${randomBytes(8).toString("hex")}`;
    return new Promise((resolve) => {
      this.pending.set(requestId, { toolName: request.tool_name, input: request.input, resolve });
      this.broadcast({
        type: "permission_request",
        request_id: requestId,
        tool_name: request.tool_name,
        input: request.input,
        tool_use_id: request.tool_use_id,
      });
    });
  }

  /** A client's answer; what went wrong with it (to tell that client), if anything. */
  async answer(response: PermissionResponse): Promise<{ message: string; code: string } | undefined> {
    const pending = this.pending.get(response.request_id);
    if (!pending)
      return { message: `No permission request '${response.request_id}' is waiting.`, code: "unknown_request" };
    this.pending.delete(response.request_id);
    if (response.behavior !== "allow") {
      pending.resolve({ behavior: "deny", message: response.message ?? "Denied by the user." });
      return undefined;
    }
    // Without updated_input the tool runs with its original input (an empty object would replace it).
    const input = response.updated_input ?? pending.input;
    const refusal = await this.refusal(pending.toolName, input);
    if (refusal) {
      pending.resolve(refusal);
      return { message: refusal.message, code: refusal === outsideRoom ? "path_not_allowed" : "address_not_allowed" };
    }
    pending.resolve({ behavior: "allow", updatedInput: input });
    return undefined;
  }

  /** Every open question is denied (the session ends). */
  denyAll(reason: string): void {
    for (const pending of this.pending.values()) pending.resolve({ behavior: "deny", message: reason });
    this.pending.clear();
  }

  /** The gateway's own answer to a tool use, whatever a client says: outside the room, or into its network. */
  private async refusal(toolName: unknown, input: unknown): Promise<typeof outsideRoom | undefined> {
    if (!(await toolPathsInside(input, this.cwd, this.allowedDirectories))) return outsideRoom;
    const url = (input as { url?: unknown } | undefined)?.url;
    if (toolName === "WebFetch" && (await isPrivateWebAddress(url))) return privateAddress;
    return undefined;
  }
}
