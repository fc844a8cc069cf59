/** The page's SSE reader (a browser module; Node has the same streams), fed a byte at a time. */
import { describe, expect, it } from "vitest";

const { readSseData } = (await import(new URL("./page/read-sse.js", import.meta.url).href)) as {
  readSseData(body: ReadableStream<Uint8Array>): AsyncGenerator<string>;
};

function byteByByte(text: string): ReadableStream<Uint8Array> {
  const bytes = new TextEncoder().encode(text);
  let index = 0;
  return new ReadableStream({
    pull(controller) {
      if (index < bytes.length) controller.enqueue(bytes.subarray(index, ++index));
      else controller.close();
    },
  });
}

async function collect(text: string): Promise<string[]> {
  const data: string[] = [];
  for await (const payload of readSseData(byteByByte(text))) data.push(payload);
  return data;
}

describe("readSseData", () => {
  it("yields each event's data, characters split between reads included, skipping comments", async () => {
    const stream = ': keep-alive\n\ndata: {"text":"héllo ✓"}\n\ndata: [DONE]\n\n';
    expect(await collect(stream)).toEqual(['{"text":"héllo ✓"}', "[DONE]"]);
  });

  it("ends events at a blank line whatever the line endings, joins data lines, drops an unfinished event", async () => {
    expect(await collect("data: a\r\ndata:b\r\n\r\ndata: c\r\rdata: d\n\ndata: never ended")).toEqual([
      "a\nb",
      "c",
      "d",
    ]);
  });

  it("hands out an event as soon as it is complete, before the stream ends", async () => {
    let push: (text: string) => void = () => {};
    const body = new ReadableStream<Uint8Array>({
      start(controller) {
        push = (text) => controller.enqueue(new TextEncoder().encode(text));
      },
    });
    const reader = readSseData(body);
    push("data: first\n");
    const first = reader.next();
    push("\ndata: second");
    expect(await first).toEqual({ value: "first", done: false });
    await reader.return(undefined);
  });
});
