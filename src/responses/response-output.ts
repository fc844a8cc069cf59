/**
 * A turn's answer as the Responses API's output items, built event by event: each call returns the
 * stream events that say what changed (without their sequence numbers), and `items()` is the output
 * so far. The stream and the JSON answer both come from here, so they always agree.
 *
 * Items follow the answer in order: a run of thinking is a `reasoning` item, a run of text a
 * `message`, each client tool call a `function_call`. Thinking between texts (a turn that went
 * through Claude Code's own tools thinks again) closes the message and a later text opens another,
 * so their texts, concatenated, are the answer's text.
 *
 * Thinking is told as a summary when the client asks for one (`reasoning.summary`): what Claude
 * Code streams of Claude's thinking is what Anthropic's API returns of it — for current models a
 * summary of the full thinking. Without that ask it is the item's `reasoning_text` content, which
 * clients that did not ask for summaries may show or ignore (Chat Completions always sends it too,
 * as `reasoning_content`). There is never `encrypted_content`: the thinking lives on in the CLI
 * session, not in the client's hands.
 */
import type {
  ResponseFunctionToolCall,
  ResponseOutputItem,
  ResponseOutputMessage,
  ResponseOutputRefusal,
  ResponseOutputText,
  ResponseReasoningItem,
} from "openai/resources/responses/responses";
import { GatewayError } from "../errors.js";
import type { ClientFunctionName } from "./namespaced-functions.js";
import { newItemId } from "./response-object.js";
import type { GatewayResponseStreamEvent } from "./response-stream-event.js";

type Unnumbered<Event> = Event extends unknown ? Omit<Event, "sequence_number"> : never;

/** A stream event before it is numbered. */
export type OutputEvent = Unnumbered<GatewayResponseStreamEvent>;

type ItemStatus = "completed" | "incomplete";

type State =
  | { kind: "reasoning"; item: ResponseReasoningItem; text: string; done: boolean }
  | { kind: "message"; item: ResponseOutputMessage; done: boolean }
  | { kind: "function_call"; item: ResponseFunctionToolCall; done: boolean };

export interface ResponseOutputOptions {
  /** Thinking as summary_text (asked for) or as reasoning_text content. */
  summary: boolean;
  /** Qualified names of namespaced functions → how the client knows them. */
  functionNames: ReadonlyMap<string, ClientFunctionName>;
}

export class ResponseOutput {
  private readonly states: State[] = [];
  /** The open reasoning or message item, which the next thinking or text continues. */
  private current: Extract<State, { kind: "reasoning" | "message" }> | undefined;
  /** Function calls by the turn's call index. */
  private readonly calls = new Map<number, Extract<State, { kind: "function_call" }>>();

  constructor(private readonly options: ResponseOutputOptions) {}

  /** The output so far; items not yet done get `openStatus`. */
  items(openStatus: "in_progress" | ItemStatus = "in_progress"): ResponseOutputItem[] {
    return this.states.map((state) => {
      const item = structuredClone(state.item);
      if (!state.done && "status" in item) item.status = openStatus;
      return item;
    });
  }

  reasoning(text: string): OutputEvent[] {
    const events: OutputEvent[] = [];
    let state = this.current;
    if (state?.kind !== "reasoning") {
      events.push(...this.closeCurrent("completed"));
      const item: ResponseReasoningItem = { id: newItemId("rs"), type: "reasoning", summary: [] };
      if (!this.options.summary) item.content = [];
      state = { kind: "reasoning", item, text: "", done: false };
      events.push(this.add(state));
      const at = this.at(state);
      if (this.options.summary) {
        item.summary.push({ type: "summary_text", text: "" });
        const added = { type: "summary_text" as const, text: "" };
        events.push({ type: "response.reasoning_summary_part.added", ...at, summary_index: 0, part: added });
      } else {
        item.content?.push({ type: "reasoning_text", text: "" });
        const added = { type: "reasoning_text" as const, text: "" };
        events.push({ type: "response.content_part.added", ...at, content_index: 0, part: added });
      }
      this.current = state;
    }
    state.text += text;
    const [summary] = state.item.summary;
    const [content] = state.item.content ?? [];
    if (summary) summary.text = state.text;
    if (content) content.text = state.text;
    const at = this.at(state);
    events.push(
      this.options.summary
        ? { type: "response.reasoning_summary_text.delta", ...at, summary_index: 0, delta: text }
        : { type: "response.reasoning_text.delta", ...at, content_index: 0, delta: text },
    );
    return events;
  }

  text(text: string): OutputEvent[] {
    if (text.length === 0) return [];
    const { events, state, contentIndex } = this.messagePart("output_text");
    const content = state.item.content[contentIndex] as ResponseOutputText;
    content.text += text;
    events.push({
      type: "response.output_text.delta",
      ...this.at(state),
      content_index: contentIndex,
      delta: text,
      logprobs: [],
    });
    return events;
  }

  refusal(text: string): OutputEvent[] {
    const { events, state, contentIndex } = this.messagePart("refusal");
    (state.item.content[contentIndex] as ResponseOutputRefusal).refusal += text;
    events.push({ type: "response.refusal.delta", ...this.at(state), content_index: contentIndex, delta: text });
    return events;
  }

  /**
   * The tail `discarded` of the text so far is superseded by `text` (the upstream stream broke and
   * the CLI fetched the answer again). Once sent, text cannot be taken back: a stream can only go
   * on if the replacement extends what it sent; a JSON answer, not yet sent, is simply corrected.
   */
  replace(discarded: string, text: string, sent: boolean): OutputEvent[] {
    if (text.startsWith(discarded)) return this.text(text.slice(discarded.length));
    if (sent) throw upstreamStreamInterrupted();
    this.dropText(discarded.length);
    return this.text(text);
  }

  toolCall(index: number, callId: string, calledName: string): OutputEvent[] {
    const events = this.closeCurrent("completed");
    const client = this.options.functionNames.get(calledName);
    const state = {
      kind: "function_call" as const,
      item: {
        id: newItemId("fc"),
        type: "function_call" as const,
        status: "in_progress" as const,
        call_id: callId,
        name: client?.name ?? calledName,
        ...(client?.namespace ? { namespace: client.namespace } : {}),
        arguments: "",
      },
      done: false,
    };
    this.calls.set(index, state);
    events.push(this.add(state));
    return events;
  }

  toolCallArguments(index: number, fragment: string): OutputEvent[] {
    const state = this.calls.get(index);
    if (!state || state.done) return [];
    state.item.arguments += fragment;
    return [{ type: "response.function_call_arguments.delta", ...this.at(state), delta: fragment }];
  }

  /**
   * Ends every open item, in output order. Calls stay open until the answer ends: the CLI sends
   * "{}" for a call without arguments only at its message's end, after later calls began.
   */
  close(status: ItemStatus): OutputEvent[] {
    this.current = undefined;
    return this.states.flatMap((state) => (state.done ? [] : this.finish(state, status)));
  }

  private add(state: State): OutputEvent {
    this.states.push(state);
    return {
      type: "response.output_item.added",
      output_index: this.states.length - 1,
      item: structuredClone(state.item),
    };
  }

  private at(state: State): { item_id: string; output_index: number } {
    return { item_id: state.item.id as string, output_index: this.states.indexOf(state) };
  }

  private closeCurrent(status: ItemStatus): OutputEvent[] {
    const state = this.current;
    this.current = undefined;
    return state ? this.finish(state, status) : [];
  }

  /** The open message's last part, if of `type`; else a new part of `type` (in a new message if none is open). */
  private messagePart(type: "output_text" | "refusal") {
    const events: OutputEvent[] = [];
    let state = this.current;
    if (state?.kind !== "message") {
      events.push(...this.closeCurrent("completed"));
      const item: ResponseOutputMessage = {
        id: newItemId("msg"),
        type: "message",
        role: "assistant",
        status: "in_progress",
        content: [],
      };
      state = { kind: "message", item, done: false };
      events.push(this.add(state));
      this.current = state;
    }
    let contentIndex = state.item.content.length - 1;
    if (state.item.content[contentIndex]?.type !== type) {
      events.push(...this.finishPart(state));
      state.item.content.push(
        type === "output_text"
          ? { type: "output_text", text: "", annotations: [], logprobs: [] }
          : { type: "refusal", refusal: "" },
      );
      contentIndex = state.item.content.length - 1;
      const added = structuredClone(state.item.content[contentIndex]) as ResponseOutputText | ResponseOutputRefusal;
      events.push({ type: "response.content_part.added", ...this.at(state), content_index: contentIndex, part: added });
    }
    return { events, state, contentIndex };
  }

  /** The done events of a message's last part. */
  private finishPart(state: Extract<State, { kind: "message" }>): OutputEvent[] {
    const contentIndex = state.item.content.length - 1;
    const content = state.item.content[contentIndex];
    if (!content) return [];
    const at = { ...this.at(state), content_index: contentIndex };
    const done: OutputEvent =
      content.type === "output_text"
        ? { type: "response.output_text.done", ...at, text: content.text, logprobs: [] }
        : { type: "response.refusal.done", ...at, refusal: content.refusal };
    return [done, { type: "response.content_part.done", ...at, part: structuredClone(content) }];
  }

  private finish(state: State, status: ItemStatus): OutputEvent[] {
    state.done = true;
    const at = this.at(state);
    const events: OutputEvent[] = [];
    if (state.kind === "message") {
      events.push(...this.finishPart(state));
      state.item.status = status;
    } else if (state.kind === "function_call") {
      state.item.status = status;
      const { name, arguments: args } = state.item;
      events.push({ type: "response.function_call_arguments.done", ...at, name, arguments: args });
    } else if (this.options.summary) {
      const text = state.text;
      events.push(
        { type: "response.reasoning_summary_text.done", ...at, summary_index: 0, text },
        { type: "response.reasoning_summary_part.done", ...at, summary_index: 0, part: { type: "summary_text", text } },
      );
    } else {
      const text = state.text;
      events.push(
        { type: "response.reasoning_text.done", ...at, content_index: 0, text },
        { type: "response.content_part.done", ...at, content_index: 0, part: { type: "reasoning_text", text } },
      );
    }
    events.push({
      type: "response.output_item.done",
      output_index: at.output_index,
      item: structuredClone(state.item),
    });
    return events;
  }

  /** Takes the last `length` characters off the answer's text, across its messages from the end. */
  private dropText(length: number): void {
    let left = length;
    for (const state of [...this.states].reverse()) {
      if (state.kind !== "message") continue;
      for (const content of [...state.item.content].reverse()) {
        if (left === 0) return;
        if (content.type !== "output_text") continue;
        const cut = Math.min(left, content.text.length);
        content.text = content.text.slice(0, content.text.length - cut);
        left -= cut;
      }
    }
  }
}

export function upstreamStreamInterrupted(): GatewayError {
  return new GatewayError(
    "The upstream stream broke mid-answer and Claude Code regenerated the answer differently; retry the request.",
    { status: 502, type: "server_error", code: "upstream_stream_interrupted" },
  );
}
