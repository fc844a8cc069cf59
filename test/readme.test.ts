/**
 * The README's promises that code can check: its tables name every configuration key with its
 * real default, every request field with the handling the code actually applies, and every error
 * code the code emits.
 */
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { z } from "zod";
import { messagesFieldPolicy } from "../src/anthropic/messages-field-policy.js";
import { configurationObjectSchema, configurationSchema } from "../src/config/configuration-schema.js";
import { requestFieldPolicy } from "../src/openai/request-field-policy.js";
import { responseFieldPolicy } from "../src/responses/response-field-policy.js";
import { emittedErrorCodes } from "./support/emitted-error-codes.js";

const readme = readFileSync(new URL("../README.md", import.meta.url), "utf8");

function tableRows(): Map<string, string[]> {
  const rows = new Map<string, string[]>();
  for (const line of readme.split("\n")) {
    // Cells are padded (the formatter aligns tables); the first cell is a `key`.
    const cells = line.split("|").map((cell) => cell.trim());
    const key = /^`([a-z_.]+)`$/.exec(cells[1] ?? "")?.[1];
    if (line.startsWith("|") && key) rows.set(key, cells.slice(2, -1));
  }
  return rows;
}

function configurationKeys(): string[] {
  const keys: string[] = [];
  for (const [name, schema] of Object.entries(configurationObjectSchema.shape)) {
    const inner = schema instanceof z.ZodPrefault ? (schema.unwrap() as z.ZodType) : schema;
    if (inner instanceof z.ZodObject) for (const key of Object.keys(inner.shape)) keys.push(`${name}.${key}`);
    else keys.push(name);
  }
  return keys;
}

describe("README", () => {
  it("opens with the install-and-start and the test commands", () => {
    const opening = readme.split("\n").slice(0, 8).join("\n");
    expect(opening).toContain("npm install && npm start");
    expect(opening).toContain("npm test");
  });

  it("documents every configuration key with its actual default", () => {
    const rows = tableRows();
    const defaults = configurationSchema.parse({}) as unknown as Record<string, Record<string, unknown>>;
    for (const key of configurationKeys()) {
      const row = rows.get(key);
      expect(row, `README has no row for ${key}`).toBeDefined();
      const [section, name] = key.split(".") as [string, string | undefined];
      const value = name ? defaults[section]?.[name] : undefined;
      // Paths under data_dir depend on the machine; the README writes them with `<data_dir>`.
      if (key === "data_dir") continue;
      if (typeof value === "string" && value.includes(defaults.data_dir as unknown as string)) {
        expect(row?.[0]).toBe(`\`${value.replace(defaults.data_dir as unknown as string, "<data_dir>")}\``);
        continue;
      }
      if (value === "") expect(row?.[0]).toBe('`""`');
      else if (Array.isArray(value)) expect(row?.[0]).toBe(`\`${JSON.stringify(value)}\``);
      else if (value !== undefined) expect(row?.[0]).toBe(`\`${value}\``);
    }
  });

  it("lists every request field with the handling the code applies", () => {
    const rows = tableRows();
    for (const [field, policy] of Object.entries(requestFieldPolicy)) {
      expect(rows.get(field)?.[0], `README row for ${field}`).toBe(policy.handling);
    }
  });

  it("lists every Messages API request field with the handling the code applies", () => {
    for (const [field, policy] of Object.entries(messagesFieldPolicy)) {
      const row = readme.split("\n").find((line) => line.startsWith(`| \`${field}\` (Messages) |`));
      expect(row?.split("|")[2]?.trim(), `README row for ${field} (Messages)`).toBe(policy.handling);
    }
  });

  it("lists every Responses API request field with the handling the code applies", () => {
    for (const [field, policy] of Object.entries(responseFieldPolicy)) {
      const row = readme.split("\n").find((line) => line.startsWith(`| \`${field}\` (Responses) |`));
      expect(row?.split("|")[2]?.trim(), `README row for ${field} (Responses)`).toBe(policy.handling);
    }
  });

  it("names every error code the code emits", () => {
    const codes = emittedErrorCodes(new URL("../src", import.meta.url).pathname);
    expect(codes.size).toBeGreaterThan(50);
    const unnamed = [...codes].filter((code) => !readme.includes(`\`${code}\``));
    expect(unnamed).toEqual([]);
  });
});
