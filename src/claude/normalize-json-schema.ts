/**
 * A client's JSON Schema → one the CLI's `--json-schema` keeps. CLI 2.1.197 compiles the schema as
 * it comes with `new Ajv({ allErrors: true })` — Ajv 8: draft-07 only, strict mode, no formats —
 * and when that throws it silently offers no StructuredOutput tool, so the turn ends without the
 * object (measured). Clients send other dialects: zod 4 (LangChain's `withStructuredOutput`) writes
 * `$schema` 2020-12, `zodResponseFormat` writes `format`. So the schema is rewritten into what that
 * Ajv compiles, keeping every constraint it can:
 *   - `$schema` goes: only draft-07's own `http://json-schema.org/draft-07/schema#` would load, and
 *     without it draft-07 is assumed;
 *   - 2019-09/2020-12 keywords with a draft-07 form take it (`prefixItems` → an `items` array,
 *     `dependentRequired`/`dependentSchemas` → `dependencies`); `$defs` Ajv reads as it is;
 *   - `format` goes (Ajv knows none) and is told to the model in the description instead;
 *   - what strict mode refuses goes: keywords it does not know (`strict`, `x-…`, `$anchor`,
 *     `unevaluatedProperties`, `discriminator`, OpenAPI's `example` …), the ones it calls ignored
 *     (`then`/`else` without `if`, `if` alone, `additionalItems` without an `items` array, `nullable`
 *     without `type`), patterns JavaScript cannot compile with the `u` flag; draft-04's boolean
 *     `exclusiveMinimum`/`exclusiveMaximum` become numbers.
 * The model sees the result too: it is the StructuredOutput tool's input schema. A schema nested
 * deeper than `maxSchemaDepth` is refused with a RangeError (OpenAI's own limit is 10 levels; this
 * one only keeps the walk off the end of the stack).
 */
import { invalidRequest } from "../errors.js";

type SchemaObject = Record<string, unknown>;
type Normalize = (schema: unknown) => unknown;

/** Keywords whose value is data, not a schema: copied as they are. */
const valueKeywords = new Set([
  "$id",
  "$ref",
  "$comment",
  "type",
  "enum",
  "const",
  "multipleOf",
  "maximum",
  "minimum",
  "exclusiveMaximum",
  "exclusiveMinimum",
  "maxLength",
  "minLength",
  "pattern",
  "maxItems",
  "minItems",
  "uniqueItems",
  "maxProperties",
  "minProperties",
  "required",
  "nullable",
  "title",
  "description",
  "default",
  "deprecated",
  "readOnly",
  "writeOnly",
  "examples",
  "contentMediaType",
  "contentEncoding",
]);
const schemaKeywords = new Set(["not", "if", "then", "else", "propertyNames", "additionalProperties", "contains"]);
const schemaListKeywords = new Set(["anyOf", "oneOf", "allOf"]);
const schemaMapKeywords = new Set(["properties", "patternProperties", "definitions", "$defs"]);

const maxSchemaDepth = 100;

export function normalizeJsonSchema(schema: SchemaObject): SchemaObject {
  return normalizeObject(schema, 0);
}

function normalizeObject(schema: SchemaObject, depth: number): SchemaObject {
  if (depth > maxSchemaDepth) throw new RangeError(`The schema nests deeper than ${maxSchemaDepth} levels.`);
  // Boolean schemas are draft-07 too; anything else is left for Ajv to judge.
  const normalizeSchema = (value: unknown) => (isObject(value) ? normalizeObject(value, depth + 1) : value);
  const mapList = (value: unknown) => (Array.isArray(value) ? value.map(normalizeSchema) : value);
  const result: SchemaObject = {};
  for (const [keyword, value] of Object.entries(schema)) {
    if (valueKeywords.has(keyword)) result[keyword] = value;
    else if (schemaKeywords.has(keyword)) result[keyword] = normalizeSchema(value);
    else if (schemaListKeywords.has(keyword)) result[keyword] = mapList(value);
    else if (schemaMapKeywords.has(keyword)) result[keyword] = mapValues(value, normalizeSchema);
  }
  normalizeItems(schema, result, normalizeSchema);
  normalizeDependencies(schema, result, normalizeSchema);
  if (typeof schema.format === "string") describeFormat(result, schema.format);
  numberExclusiveBounds(result);
  dropWhatStrictModeIgnores(result);
  return result;
}

/** The model still learns the format Ajv cannot check. */
function describeFormat(result: SchemaObject, format: string): void {
  if (result.description === undefined) result.description = `Format: ${format}.`;
  else if (typeof result.description === "string") result.description = `${result.description} (format: ${format})`;
}

/** Draft-04's `exclusiveMinimum: true` beside `minimum: 0` is draft-07's `exclusiveMinimum: 0`. */
function numberExclusiveBounds(result: SchemaObject): void {
  for (const [exclusive, bound] of [
    ["exclusiveMinimum", "minimum"],
    ["exclusiveMaximum", "maximum"],
  ] as const) {
    if (typeof result[exclusive] !== "boolean") continue;
    if (result[exclusive] && typeof result[bound] === "number") {
      result[exclusive] = result[bound];
      delete result[bound];
    } else delete result[exclusive];
  }
}

/** Strict mode throws on keywords it would ignore, and on patterns it cannot compile. */
function dropWhatStrictModeIgnores(result: SchemaObject): void {
  if (!("if" in result)) {
    delete result.then;
    delete result.else;
  } else if (!("then" in result) && !("else" in result)) delete result.if;
  if (!("type" in result)) delete result.nullable;
  if (typeof result.pattern === "string" && !compilesAsPattern(result.pattern)) delete result.pattern;
  if (isObject(result.patternProperties)) {
    result.patternProperties = Object.fromEntries(
      Object.entries(result.patternProperties).filter(([pattern]) => compilesAsPattern(pattern)),
    );
  }
  // The meta-schema wants `required` without repeats.
  if (Array.isArray(result.required)) result.required = [...new Set(result.required)];
}

/** Draft-07 has `items` (one schema, or a tuple) and `additionalItems`; 2020-12 `prefixItems` and `items`. */
function normalizeItems(schema: SchemaObject, result: SchemaObject, normalizeSchema: Normalize): void {
  const { items, prefixItems, additionalItems } = schema;
  if (Array.isArray(items)) {
    result.items = items.map(normalizeSchema);
    if (additionalItems !== undefined) result.additionalItems = normalizeSchema(additionalItems);
  } else if (Array.isArray(prefixItems)) {
    result.items = prefixItems.map(normalizeSchema);
    const rest = items ?? additionalItems;
    if (rest !== undefined) result.additionalItems = normalizeSchema(rest);
  } else if (items !== undefined) result.items = normalizeSchema(items);
}

/** Draft-07's `dependencies` holds what 2019-09 split into `dependentRequired` and `dependentSchemas`. */
function normalizeDependencies(schema: SchemaObject, result: SchemaObject, normalizeSchema: Normalize): void {
  const dependencies = {
    ...mapValues(schema.dependencies, (value) => (Array.isArray(value) ? value : normalizeSchema(value))),
    ...mapValues(schema.dependentRequired, (value) => value),
    ...mapValues(schema.dependentSchemas, normalizeSchema),
  };
  if (Object.keys(dependencies).length > 0) result.dependencies = dependencies;
}

function mapValues(value: unknown, map: (value: unknown) => unknown): SchemaObject {
  if (!isObject(value)) return {};
  return Object.fromEntries(Object.entries(value).map(([key, entry]) => [key, map(entry)]));
}

function compilesAsPattern(pattern: string): boolean {
  try {
    new RegExp(pattern, "u");
    return true;
  } catch {
    return false;
  }
}

function isObject(value: unknown): value is SchemaObject {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** The same, a schema too deep to normalise being the client's error at `param`. */
export function normalizeJsonSchemaAt(schema: SchemaObject, param: string): SchemaObject {
  try {
    return normalizeJsonSchema(schema);
  } catch (error) {
    if (!(error instanceof RangeError)) throw error;
    throw invalidRequest(error.message, param, "invalid_value");
  }
}
