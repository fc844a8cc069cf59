/**
 * The `data:` payloads of a server-sent event stream, each as soon as its event is complete. Bytes
 * are decoded as a stream (a character may be split between two reads), an event ends at a blank
 * line whatever the line endings, comments (the gateway's keep-alives) are skipped, and the data
 * lines of one event are joined with "\n", as EventSource does.
 */
export async function* readSseData(body) {
  const reader = body.pipeThrough(new TextDecoderStream()).getReader();
  let pending = "";
  // A "\r" at the end of a read may be the first half of "\r\n": kept until the next read.
  let carriedReturn = false;
  try {
    for (;;) {
      const { value, done } = await reader.read();
      if (done) return;
      let text = (carriedReturn ? "\r" : "") + value;
      carriedReturn = text.endsWith("\r");
      if (carriedReturn) text = text.slice(0, -1);
      pending += text.replace(/\r\n?/g, "\n");
      const events = pending.split("\n\n");
      pending = events.pop() ?? "";
      for (const event of events) {
        const data = dataOf(event);
        if (data !== undefined) yield data;
      }
    }
  } finally {
    // Left early (the reader stopped, or the caller broke off): the connection is not needed.
    reader.cancel().catch(() => {});
  }
}

function dataOf(event) {
  const lines = event
    .split("\n")
    .filter((line) => line === "data" || line.startsWith("data:"))
    .map((line) => line.slice(5).replace(/^ /, ""));
  return lines.length > 0 ? lines.join("\n") : undefined;
}
