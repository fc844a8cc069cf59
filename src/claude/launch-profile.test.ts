import { describe, expect, it } from "vitest";
import { configurationSchema } from "../config/configuration-schema.js";
import { baseClaudeArguments, createLaunchProfile, initializeForSystemPrompt } from "./launch-profile.js";

const claude = (input: Record<string, unknown> = {}) => configurationSchema.parse({ claude: input }).claude;

describe("launch profiles", () => {
  it("share a spawn key across system prompts but not a profile key", () => {
    const args = baseClaudeArguments(claude());
    const plain = createLaunchProfile(args);
    const pirate = createLaunchProfile(args, { systemPrompt: "You are a pirate." });
    const otherPirate = createLaunchProfile([...args], { systemPrompt: "You are a pirate." });
    expect(pirate.spawnKey).toBe(plain.spawnKey);
    expect(pirate.key).not.toBe(plain.key);
    expect(otherPirate.key).toBe(pirate.key);
    expect(createLaunchProfile([...args, "--max-turns", "3"]).spawnKey).not.toBe(plain.spawnKey);
  });

  it("share spares across owners, but never a used process; a room of its own is another command line", () => {
    const args = baseClaudeArguments(claude());
    const alice = createLaunchProfile(args, {}, { owner: "key_a" });
    const bob = createLaunchProfile(args, {}, { owner: "key_b" });
    expect(alice.spawnKey).toBe(bob.spawnKey);
    expect(alice.key).not.toBe(bob.key);
    const room = { cwd: "/rooms/a/workspace", configDirectory: "/rooms/a/claude" };
    const inRoom = createLaunchProfile(args, {}, { owner: "key_a", room });
    expect(inRoom.spawnKey).not.toBe(alice.spawnKey);
    expect(inRoom.room).toEqual(room);
  });

  it("keep a replaced and an appended system prompt apart", () => {
    const args = baseClaudeArguments(claude());
    const replaced = createLaunchProfile(args, initializeForSystemPrompt("Be terse.", "replace"));
    const appended = createLaunchProfile(args, initializeForSystemPrompt("Be terse.", "append"));
    expect(replaced.initialize).toEqual({ systemPrompt: "Be terse." });
    expect(appended.initialize).toEqual({ appendSystemPrompt: "Be terse." });
    expect(replaced.key).not.toBe(appended.key);
  });

  it("start the CLI in stream-json mode with the safe defaults", () => {
    expect(baseClaudeArguments(claude())).toEqual([
      "-p",
      "--input-format",
      "stream-json",
      "--output-format",
      "stream-json",
      "--verbose",
      "--include-partial-messages",
      "--setting-sources",
      "",
    ]);
    const custom = baseClaudeArguments(claude({ setting_sources: "user", default_model: "haiku" }));
    expect(custom.slice(-4)).toEqual(["--setting-sources", "user", "--model", "haiku"]);
  });
});
