/**
 * Server-sent events from an async iterator of JSON objects, OpenAI style: `data: {…}` per item,
 * `data: [DONE]` at the end, `: ping` comments during long silences.
 *
 * The status line is held back until the first item (or the first keep-alive): a turn that fails
 * before producing anything (not logged in, upstream 429, queue full) then gets a real HTTP error
 * status. After that, errors can only travel in the stream, as `data: {"error":…}`.
 *
 * The source is read as fast as it yields, whether the client reads or not, into a buffer of
 * `bufferBytes`: the CLI's output behind the source (a turn's lines) would otherwise pile up
 * unread, and the turn hold its process, for as long as a client keeps its connection without
 * reading. An event that finds the buffer full stops the stream and closes its source; the caller
 * cuts the connection.
 */
import { asGatewayError, type GatewayError, toOpenAIErrorBody } from "../errors.js";

export interface SseOptions {
  keepAliveMs: number;
  /** Most bytes held for a client that has not taken them yet (Node's socket buffer comes on top). */
  bufferBytes: number;
  /** The buffer filled: the source has been closed; the caller cuts the connection. */
  onOverflow(): void;
  /** Told about errors that end a stream already under way (they never reach the error handler). */
  onStreamError?(error: GatewayError): void;
  /** The client went away before the stream's end. */
  onCancel?(): void;
  /**
   * The dialect's framing; by default OpenAI Chat Completions': `data:` only, `data: [DONE]` at
   * the end, an error as the error body. The Responses API names each event and sends no [DONE].
   */
  framing?: SseFraming;
  /** The request's id, for an error's body. */
  requestId?: string;
}

export interface SseFraming {
  /** The `event:` name of an item, if the dialect names events. */
  eventName?(item: unknown): string | undefined;
  /** Sent after the last item (Chat Completions: "[DONE]"); undefined: nothing. */
  done?: string;
  /** The item an error that ends a stream under way becomes (`requestId` for its body). */
  error(error: GatewayError, requestId?: string): unknown;
}

const chatFraming: SseFraming = { done: "[DONE]", error: toOpenAIErrorBody };

function frame(item: unknown, framing: SseFraming): string {
  const name = framing.eventName?.(item);
  return `${name ? `event: ${name}\n` : ""}data: ${JSON.stringify(item)}\n\n`;
}

type Raced<T> = { kind: "result"; result: IteratorResult<T> } | { kind: "silence" };

function raceSilence<T>(pending: Promise<IteratorResult<T>>, ms: number): Promise<Raced<T>> {
  let timer: NodeJS.Timeout | undefined;
  const silence = new Promise<Raced<T>>((resolve) => {
    timer = setTimeout(() => resolve({ kind: "silence" }), ms);
  });
  return Promise.race([pending.then((result): Raced<T> => ({ kind: "result", result })), silence]).finally(() =>
    clearTimeout(timer),
  );
}

const encoder = new TextEncoder();

const sseHeaders = {
  "content-type": "text/event-stream; charset=utf-8",
  "cache-control": "no-cache",
  connection: "keep-alive",
  "x-accel-buffering": "no",
};

/** Resolves when the first item is ready; rejects (for a JSON error response) if the source fails first. */
export async function createSseResponse<T>(source: AsyncIterator<T>, options: SseOptions): Promise<Response> {
  const framing = options.framing ?? chatFraming;
  let pending: Promise<IteratorResult<T>> | undefined = source.next();
  // Errors of a pending next() surface when it is awaited; this keeps an early one from going unhandled.
  pending.catch(() => {});
  const first = await raceSilence(pending, options.keepAliveMs);
  let ready: IteratorResult<T> | undefined;
  if (first.kind === "result") {
    ready = first.result;
    pending = undefined;
  }

  // Set once the stream is over for the client (cancelled, or cut when full): nothing more is
  // enqueued or reported, and the source is closed.
  let stopped = false;
  const stop = () => {
    stopped = true;
    // The turn is interrupted by the request's abort signal (or the caller); closing the source
    // lets the iterator chain run its cleanup once its pending step settles.
    void source.return?.(undefined)?.catch(() => {});
  };
  const pump = async (controller: ReadableStreamDefaultController<Uint8Array>) => {
    try {
      for (;;) {
        let result = ready;
        ready = undefined;
        if (!result) {
          pending ??= source.next();
          const raced = await raceSilence(pending, options.keepAliveMs);
          if (stopped) return;
          if (raced.kind === "silence") {
            controller.enqueue(encoder.encode(": ping\n\n"));
            continue;
          }
          pending = undefined;
          result = raced.result;
        }
        if (result.done) {
          if (framing.done) controller.enqueue(encoder.encode(`data: ${framing.done}\n\n`));
          controller.close();
          return;
        }
        // Judged before adding, not after: one event larger than the buffer (a structured answer
        // comes in one piece) still reaches a client that reads; the next one finds it untaken.
        if ((controller.desiredSize ?? 0) <= 0) {
          stop();
          options.onOverflow();
          return;
        }
        controller.enqueue(encoder.encode(frame(result.value, framing)));
      }
    } catch (error) {
      if (stopped) return;
      const gatewayError = asGatewayError(error);
      options.onStreamError?.(gatewayError);
      controller.enqueue(encoder.encode(frame(framing.error(gatewayError, options.requestId), framing)));
      controller.close();
    }
  };
  const stream = new ReadableStream<Uint8Array>(
    {
      start(controller) {
        // Not awaited: the source is read as it yields, not as the client reads.
        void pump(controller).catch(() => {});
      },
      cancel() {
        if (stopped) return;
        stop();
        options.onCancel?.();
      },
    },
    // desiredSize then tells how much of the buffer the client has left untaken.
    new ByteLengthQueuingStrategy({ highWaterMark: options.bufferBytes }),
  );
  return new Response(stream, { status: 200, headers: sseHeaders });
}
