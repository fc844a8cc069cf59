/**
 * The CLI's stream-json lines, as far as the gateway reads them. Shapes are deliberately partial:
 * the CLI adds fields between versions, so only what we use is typed, and every line is checked
 * for `type` before use. The Agent SDK's `sdk.d.ts` is the fuller reference.
 */

export interface ApiUsage {
  input_tokens?: number;
  output_tokens?: number;
  cache_read_input_tokens?: number;
  cache_creation_input_tokens?: number;
  output_tokens_details?: { thinking_tokens?: number };
}

export type ContentBlock =
  | { type: "text"; text: string }
  | { type: "image"; source: { type: "base64"; media_type: string; data: string } | { type: "url"; url: string } }
  | { type: "tool_use"; id: string; name: string; input: unknown }
  | { type: "tool_result"; tool_use_id: string; content: unknown; is_error?: boolean }
  | { type: "thinking"; thinking: string }
  | { type: string; [key: string]: unknown };

/** Raw Anthropic SSE events, forwarded by `--include-partial-messages`. */
export type StreamEvent =
  | { type: "message_start"; message: { id: string; model: string; usage?: ApiUsage } }
  | { type: "content_block_start"; index: number; content_block: ContentBlock }
  | {
      type: "content_block_delta";
      index: number;
      delta:
        | { type: "text_delta"; text: string }
        | { type: "input_json_delta"; partial_json: string }
        | { type: "thinking_delta"; thinking: string }
        | { type: string };
    }
  | { type: "content_block_stop"; index: number }
  | { type: "message_delta"; delta: { stop_reason?: string | null }; usage?: ApiUsage }
  | { type: "message_stop" };

export interface SystemInitLine {
  type: "system";
  subtype: "init";
  session_id: string;
  model: string;
  cwd: string;
  tools?: string[];
  claude_code_version?: string;
}

export interface SystemLine {
  type: "system";
  subtype: string;
  session_id?: string;
  [key: string]: unknown;
}

export interface StreamEventLine {
  type: "stream_event";
  event: StreamEvent;
  /** Non-null for events of a sub-agent (the Task tool); the gateway's output is the main agent's. */
  parent_tool_use_id: string | null;
  session_id: string;
}

export interface AssistantLine {
  type: "assistant";
  message: { id: string; model: string; content: ContentBlock[]; usage?: ApiUsage };
  parent_tool_use_id: string | null;
  session_id: string;
  /** The line's id, the same in the session transcript (where --resume-session-at can cut). */
  uuid?: string;
}

export interface UserLine {
  type: "user";
  message: { role: "user"; content: string | ContentBlock[] };
  parent_tool_use_id: string | null;
  session_id?: string;
}

/** Exactly one per turn: the turn-complete signal. Success is `is_error`, never `subtype`. */
export interface ResultLine {
  type: "result";
  subtype: "success" | "error_max_turns" | "error_max_budget_usd" | "error_during_execution" | string;
  is_error: boolean;
  api_error_status?: number | null;
  /** Only the LAST assistant text of the turn. */
  result?: string;
  stop_reason?: string | null;
  session_id: string;
  /** Summed over every API call of the turn. */
  usage?: ApiUsage;
  /** Cumulative for the process, not per turn. */
  total_cost_usd?: number;
  /** Added by ClaudeProcess: this turn's own cost (the difference of total_cost_usd). */
  turn_cost_usd?: number;
  num_turns?: number;
  duration_ms?: number;
  errors?: string[];
  /** With --json-schema: the object the model gave through the StructuredOutput tool. */
  structured_output?: unknown;
}

/**
 * The API's subscription rate-limit state, as the CLI derived it from the answer's
 * `anthropic-ratelimit-unified-*` headers: printed only when logged in to a Claude subscription, and
 * only when the state differs from what this process printed last (decision 0017).
 */
export interface RateLimitEventLine {
  type: "rate_limit_event";
  rate_limit_info: {
    status?: string;
    /** Unix seconds. */
    resetsAt?: number;
    /** The window it is about: five_hour, seven_day, seven_day_opus, … */
    rateLimitType?: string;
    /** A fraction (0.8 is 80 %); present only with a warning. */
    utilization?: number;
    surpassedThreshold?: number;
    [key: string]: unknown;
  };
  session_id?: string;
}

export interface ControlRequestLine {
  type: "control_request";
  request_id: string;
  request: { subtype: string; [key: string]: unknown };
}

export interface ControlResponseLine {
  type: "control_response";
  response:
    | { subtype: "success"; request_id: string; response?: unknown }
    | { subtype: "error"; request_id: string; error: string };
}

/**
 * A line the gateway itself adds to a turn, never the CLI's: the client tool server saying the
 * CLI now waits for the client's result of a call (`toolUseId` empty for a call without an id).
 */
export interface HostLine {
  type: "host";
  event: "client_tool_waiting";
  toolUseId: string;
  session_id?: undefined;
}

export type TurnLine =
  | SystemInitLine
  | SystemLine
  | StreamEventLine
  | AssistantLine
  | UserLine
  | ResultLine
  | RateLimitEventLine
  | HostLine;

export type CliLine = TurnLine | ControlRequestLine | ControlResponseLine | { type: string; [key: string]: unknown };

/** What the gateway writes to the CLI's stdin as a user turn. */
export type UserContent = string | ContentBlock[];
