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

  /** The client's result for a tool call; the CLI gets it when it asks (or at once if it already did). */
  answer(toolUseId: string, result: ToolResult): void {
    const waiting = this.waiting.get(toolUseId);
    if (waiting) {
      this.waiting.delete(toolUseId);
      waiting.resolve(result);
    } else {
      this.answered.set(toolUseId, result);
    }
  }

  /** Answers every call still waiting with an error, and forgets answers nobody asked for. */
  abandon(reason: string): void {
    for (const [id, waiting] of this.waiting) {
      this.waiting.delete(id);
      waiting.resolve({ text: reason, isError: true });
    }
    this.answered.clear();
  }

  private async onMessage(request: Record<string, unknown>): Promise<unknown> {
    const message = request.message as JsonRpcMessage;
    if (message.id === undefined) return { mcp_response: { jsonrpc: "2.0", result: {} } }; // a notification
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
        const result = await this.resultFor(toolUseId);
        return reply({ content: [{ type: "text", text: result.text }], isError: result.isError === true });
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

  private resultFor(toolUseId: string): Promise<ToolResult> {
    const ready = this.answered.get(toolUseId);
    if (ready) {
      this.answered.delete(toolUseId);
      return Promise.resolve(ready);
    }
    return new Promise((resolve) => this.waiting.set(toolUseId, { resolve }));
  }
}

function hashTools(tools: ClientTool[]): string {
  return createHash("sha256").update(JSON.stringify(tools)).digest("hex");
}
