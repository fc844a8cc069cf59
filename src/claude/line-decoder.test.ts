import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { LineDecoder } from "./line-decoder.js";

const recorded = readFileSync(
  new URL("../../test/fixtures/claude-cli-examples/stream-json-partial-2.1.197.jsonl", import.meta.url),
  "utf8",
);

describe("LineDecoder", () => {
  it("decodes recorded CLI output fed one byte at a time", () => {
    const decoder = new LineDecoder();
    const bytes = Buffer.from(recorded);
    const lines = [];
    for (let index = 0; index < bytes.length; index++) lines.push(...decoder.push(bytes.subarray(index, index + 1)));
    lines.push(...decoder.end());
    expect(lines.every((line) => line.kind === "line")).toBe(true);
    const types = lines.map((line) => (line.kind === "line" ? line.line.type : "garbage"));
    expect(types[0]).toBe("system");
    expect(types.at(-1)).toBe("result");
    expect(types.filter((type) => type === "stream_event").length).toBeGreaterThan(3);
  });

  it("keeps multi-byte characters split across chunks intact", () => {
    const decoder = new LineDecoder();
    const bytes = Buffer.from('{"type":"x","text":"héllo — 你好"}\n');
    const split = bytes.indexOf(0xe4) + 1; // inside the first byte sequence of 你
    const lines = [...decoder.push(bytes.subarray(0, split)), ...decoder.push(bytes.subarray(split))];
    expect(lines).toEqual([{ kind: "line", line: { type: "x", text: "héllo — 你好" } }]);
  });

  it("reports garbage lines without losing the good lines around them", () => {
    const decoder = new LineDecoder();
    const lines = decoder.push(
      '{"type":"a"}\nWarning: something odd\n{not json}\n[1,2]\n{"no_type":1}\n\n{"type":"b"}\n',
    );
    expect(lines.map((line) => line.kind)).toEqual(["line", "garbage", "garbage", "garbage", "garbage", "line"]);
  });

  it("returns a final line that has no trailing newline", () => {
    const decoder = new LineDecoder();
    expect(decoder.push('{"type":"a"}\n{"type":"b"}')).toHaveLength(1);
    expect(decoder.end()).toEqual([{ kind: "line", line: { type: "b" } }]);
  });
});
