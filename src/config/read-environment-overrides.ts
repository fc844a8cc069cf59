/**
 * `CLAUDE_CODE__SECTION__KEY=value` environment variables → a partial configuration object.
 * Values of string keys are taken as written; every other key's value is JSON (numbers, booleans,
 * arrays). The double underscore keeps these apart from the CLI's own `CLAUDE_CODE_*` variables.
 */
import { z } from "zod";
import { ConfigurationError } from "./configuration-error.js";
import { configurationObjectSchema } from "./configuration-schema.js";

const prefix = "CLAUDE_CODE__";

type Wrapper = { unwrap(): z.ZodType };

function unwrap(schema: z.ZodType): z.ZodType {
  let current = schema;
  while (
    current instanceof z.ZodOptional ||
    current instanceof z.ZodDefault ||
    current instanceof z.ZodPrefault ||
    current instanceof z.ZodNullable
  ) {
    current = (current as unknown as Wrapper).unwrap();
  }
  return current;
}

/** The schema of the key at `path`, or undefined for an unknown key (the validator names it later). */
function schemaAt(path: string[]): z.ZodType | undefined {
  let current: z.ZodType = configurationObjectSchema;
  for (const segment of path) {
    const object = unwrap(current);
    if (!(object instanceof z.ZodObject)) return undefined;
    const next = (object.shape as Record<string, z.ZodType>)[segment];
    if (!next) return undefined;
    current = next;
  }
  return unwrap(current);
}

function parseValue(name: string, raw: string, path: string[]): unknown {
  const schema = schemaAt(path);
  if (schema instanceof z.ZodString || schema instanceof z.ZodEnum) return raw;
  try {
    return JSON.parse(raw);
  } catch {
    if (schema === undefined) return raw;
    throw new ConfigurationError(
      `${path.join(".")}: ${name} must be JSON (a number, boolean or array), got ${JSON.stringify(raw)}`,
    );
  }
}

export function readEnvironmentOverrides(environment: NodeJS.ProcessEnv): Record<string, unknown> {
  const overrides: Record<string, unknown> = {};
  for (const [name, raw] of Object.entries(environment)) {
    if (!name.startsWith(prefix) || raw === undefined) continue;
    const path = name
      .slice(prefix.length)
      .split("__")
      .map((segment) => segment.toLowerCase());
    if (path.some((segment) => segment.length === 0)) {
      throw new ConfigurationError(`${name}: expected CLAUDE_CODE__SECTION__KEY`);
    }
    let target = overrides;
    for (const segment of path.slice(0, -1)) {
      const existing = target[segment];
      const next = typeof existing === "object" && existing !== null ? (existing as Record<string, unknown>) : {};
      target[segment] = next;
      target = next;
    }
    target[path[path.length - 1] as string] = parseValue(name, raw, path);
  }
  return overrides;
}
