/**
 * The client's functions as tools of the CLI, through an in-process ("sdk") MCP server named
 * `client` that lives on the gateway's side of the control protocol.
 *
 * Measured with CLI 2.1.197: the CLI connects the server at boot (MCP `initialize`, then
 * `tools/list`) and lists the tools once; `mcp_set_servers` without the server and then with it
 * again (~10 ms) makes it list them anew, so a warm process can take each request's tool set. The
 * model sees `mcp__client__<name>`. A call arrives as `tools/call` with
 * `_meta["claudecode/toolUseId"]` — the id of the model's tool_use block — and the CLI waits for
 * the answer; calls of one message come one after another, each after the previous answer.
 * When the CLI had to fetch the message again without streaming (a broken stream), `tools/call`
 * comes without that id (measured): such a call is matched by tool name and arguments instead.
 */
import { createHash } from "node:crypto";
import type { ClaudeProcess } from "./claude-process.js";

export const clientServerName = "client";
export const clientToolPrefix = `mcp__${clientServerName}__`;

/** The --mcp-config value that declares the client tool server (see claude-arguments.ts). */
export const clientServerConfig = JSON.stringify({
  mcpServers: { [clientServerName]: { type: "sdk", name: clientServerName } },
});

export function offersClientTools(args: readonly string[]): boolean {
  return args.includes(clientServerConfig);
}

export interface ClientTool {
  name: string;
  description?: string;
  /** JSON Schema of the arguments. */
  inputSchema: Record<string, unknown>;
}

export interface ToolResult {
  text: string;
  isError?: boolean;
  /** Base64 images, as MCP image content (the CLI gives them to the model as image blocks). */
  images?: ReadonlyArray<{ mediaType: string; data: string }>;
}

interface JsonRpcMessage {
  jsonrpc: "2.0";
  id?: number | string;
  method?: string;
  params?: Record<string, unknown>;
}

interface Waiting {
  resolve(result: ToolResult): void;
}

const servers = new WeakMap<ClaudeProcess, ClientToolServer>();

/** The client tool server of a process started with clientToolArguments(), if it has one. */
export function clientToolServerOf(process: ClaudeProcess): ClientToolServer | undefined {
  return servers.get(process);
}

export class ClientToolServer {
  private tools: ClientTool[] = [];
  private toolsKey = hashTools([]);
  private readonly waiting = new Map<string, Waiting>();
  private readonly answered = new Map<string, ToolResult>();
  /** Calls without a tool_use id, by name and arguments (see above). */
  private readonly waitingByCall = new Map<string, Waiting>();
  private readonly answeredByCall = new Map<string, ToolResult>();
  /** Calls the CLI still waits on, by JSON-RPC id: the CLI cancels one when its turn is interrupted. */
  private readonly cancellable = new Map<number | string, () => void>();

  constructor(private readonly process: ClaudeProcess) {
    process.handleRequests("mcp_message", (request) => this.onMessage(request));
    servers.set(process, this);
  }

  /** Offers exactly these tools from the next turn on (re-listed only when they changed). */
  async setTools(tools: ClientTool[]): Promise<void> {
    const key = hashTools(tools);
    if (key === this.toolsKey) return;
    this.tools = tools;
    this.toolsKey = key;
    await this.process.sendControlRequest({ subtype: "mcp_set_servers", servers: {} });
    await this.process.sendControlRequest({
      subtype: "mcp_set_servers",
      servers: { [clientServerName]: { type: "sdk", name: clientServerName } },
    });
  }

  /**
   * The client's result for a tool call; the CLI gets it when it asks (or at once if it already
   * did). `call`: the call's name and arguments, for a call the CLI asks for without its id.
   */
  answer(toolUseId: string, result: ToolResult, call?: { name: string; arguments: string }): void {
    const waiting = this.waiting.get(toolUseId);
    if (waiting) {
      this.waiting.delete(toolUseId);
      waiting.resolve(result);
      return;
    }
    this.answered.set(toolUseId, result);
    if (!call) return;
    const key = callKey(call.name, parseArguments(call.arguments));
    const anonymous = this.waitingByCall.get(key);
    if (anonymous) {
      this.waitingByCall.delete(key);
      this.answered.delete(toolUseId);
      anonymous.resolve(result);
    } else {
      this.answeredByCall.set(key, result);
    }
  }

  /** Answers every call still waiting with an error, and forgets answers nobody asked for. */
  abandon(reason: string): void {
    for (const pending of [this.waiting, this.waitingByCall]) {
      for (const [id, waiting] of pending) {
        pending.delete(id);
        waiting.resolve({ text: reason, isError: true });
      }
    }
    this.answered.clear();
    this.answeredByCall.clear();
  }

  private async onMessage(request: Record<string, unknown>): Promise<unknown> {
    const message = request.message as JsonRpcMessage;
    if (message.id === undefined) {
      // An interrupted turn's calls (measured: `notifications/cancelled` with their requestId): no
      // answer reaches the CLI any more, so nothing waits for one.
      if (message.method === "notifications/cancelled") {
        const requestId = message.params?.requestId as number | string | undefined;
        if (requestId !== undefined) this.cancellable.get(requestId)?.();
      }
      return { mcp_response: { jsonrpc: "2.0", result: {} } };
    }
    const reply = (result: unknown) => ({ mcp_response: { jsonrpc: "2.0", id: message.id, result } });
    switch (message.method) {
      case "initialize":
        return reply({
          protocolVersion: message.params?.protocolVersion ?? "2025-06-18",
          capabilities: { tools: {} },
          serverInfo: { name: clientServerName, version: "1.0.0" },
        });
      case "tools/list":
        return reply({ tools: this.tools });
      case "tools/call": {
        const meta = (message.params?._meta ?? {}) as Record<string, unknown>;
        const toolUseId = String(meta["claudecode/toolUseId"] ?? "");
        const result = await new Promise<ToolResult>((resolve) => {
          const requestId = message.id as number | string;
          const waiting = toolUseId
            ? this.resultFor(toolUseId)
            : this.resultForCall(String(message.params?.name ?? ""), message.params?.arguments);
          this.cancellable.set(requestId, () => {
            this.forget(toolUseId, message.params?.name, message.params?.arguments);
            resolve({ text: "The call was cancelled.", isError: true });
          });
          void waiting.then(resolve);
        });
        this.cancellable.delete(message.id as number | string);
        const images = (result.images ?? []).map((image) => ({
          type: "image",
          data: image.data,
          mimeType: image.mediaType,
        }));
        return reply({ content: [{ type: "text", text: result.text }, ...images], isError: result.isError === true });
      }
      default:
        return {
          mcp_response: {
            jsonrpc: "2.0",
            id: message.id,
            error: { code: -32601, message: `Method not found: ${message.method}` },
          },
        };
    }
  }

  /** A cancelled call's waiting entry goes: an answer for it later is kept for nobody. */
  private forget(toolUseId: string, name: unknown, args: unknown): void {
    if (toolUseId) this.waiting.delete(toolUseId);
    else this.waitingByCall.delete(callKey(String(name ?? ""), args));
  }

  private resultFor(toolUseId: string): Promise<ToolResult> {
    const ready = this.answered.get(toolUseId);
    if (ready) {
      this.answered.delete(toolUseId);
      return Promise.resolve(ready);
    }
    // Tells the turn's reader the CLI now waits on the client (needed when the calls did not
    // arrive through a streamed message, whose end announces them otherwise).
    this.process.addHostLine({ type: "host", event: "client_tool_waiting", toolUseId });
    return new Promise((resolve) => this.waiting.set(toolUseId, { resolve }));
  }

  private resultForCall(name: string, args: unknown): Promise<ToolResult> {
    const key = callKey(name, args);
    const ready = this.answeredByCall.get(key);
    if (ready) {
      this.answeredByCall.delete(key);
      return Promise.resolve(ready);
    }
    this.process.addHostLine({ type: "host", event: "client_tool_waiting", toolUseId: "" });
    return new Promise((resolve) => this.waitingByCall.set(key, { resolve }));
  }
}

function callKey(name: string, args: unknown): string {
  return JSON.stringify([name, args ?? {}]);
}

function parseArguments(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

function hashTools(tools: ClientTool[]): string {
  return createHash("sha256").update(JSON.stringify(tools)).digest("hex");
}
