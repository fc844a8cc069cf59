import { describe, expect, it } from "vitest";
import { inertCommands } from "./inert-commands.js";

describe("inertCommands", () => {
  it("puts a zero-width space ahead of any text block that starts like a command", () => {
    expect(inertCommands("/config language=x")).toBe("\u200b/config language=x");
    expect(
      inertCommands([
        { type: "text", text: "hello" },
        { type: "text", text: "\t\n /heapdump" },
        { type: "image", source: { type: "url", url: "https://example.com/a.png" } },
        { type: "text", text: "a/b is not a command" },
      ]),
    ).toEqual([
      { type: "text", text: "hello" },
      { type: "text", text: "\u200b\t\n /heapdump" },
      { type: "image", source: { type: "url", url: "https://example.com/a.png" } },
      { type: "text", text: "a/b is not a command" },
    ]);
  });

  it("leaves tool results alone: the CLI reads no command in them", () => {
    const result = { type: "tool_result", tool_use_id: "t", content: "/clear" };
    expect(inertCommands([result])).toEqual([result]);
  });
});
