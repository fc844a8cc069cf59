/**
 * Builds the one frozen Configuration, later sources overriding earlier ones:
 * built-in defaults → config/default.toml → config/$RUN_MODE.toml → config/local.toml →
 * --config FILE → CLAUDE_CODE__SECTION__KEY environment variables → command-line flags.
 */
import { existsSync, readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { parse as parseToml } from "smol-toml";
import { ConfigurationError } from "./configuration-error.js";
import { type Configuration, configurationSchema } from "./configuration-schema.js";
import { readEnvironmentOverrides } from "./read-environment-overrides.js";

export interface LoadConfigurationOptions {
  /** The file given with --config; it must exist. */
  configFile?: string;
  /** Values from command-line flags, already shaped like the configuration. */
  flags?: { server?: { host?: string; port?: number } };
  environment?: NodeJS.ProcessEnv;
  /** Where `config/` is looked for; the current directory by default. */
  directory?: string;
}

type Layer = Record<string, unknown>;

function isPlainObject(value: unknown): value is Layer {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function merge(base: Layer, override: Layer): Layer {
  const result: Layer = { ...base };
  for (const [key, value] of Object.entries(override)) {
    if (value === undefined) continue;
    const existing = result[key];
    result[key] = isPlainObject(existing) && isPlainObject(value) ? merge(existing, value) : value;
  }
  return result;
}

function readTomlFile(path: string): Layer {
  try {
    return parseToml(readFileSync(path, "utf8")) as Layer;
  } catch (error) {
    throw new ConfigurationError(`${path}: ${(error as Error).message}`);
  }
}

function deepFreeze<T>(value: T): T {
  if (isPlainObject(value)) {
    for (const inner of Object.values(value)) deepFreeze(inner);
    Object.freeze(value);
  }
  return value;
}

export function loadConfiguration(options: LoadConfigurationOptions = {}): Configuration {
  const environment = options.environment ?? process.env;
  const directory = join(options.directory ?? process.cwd(), "config");
  const files = ["default.toml", environment.RUN_MODE ? `${environment.RUN_MODE}.toml` : undefined, "local.toml"]
    .filter((name): name is string => name !== undefined)
    .map((name) => join(directory, name))
    .filter((path) => existsSync(path));
  if (options.configFile !== undefined) {
    const path = resolve(options.configFile);
    if (!existsSync(path)) throw new ConfigurationError(`--config ${options.configFile}: no such file`);
    files.push(path);
  }

  let merged: Layer = {};
  for (const path of files) merged = merge(merged, readTomlFile(path));
  merged = merge(merged, readEnvironmentOverrides(environment));
  merged = merge(merged, (options.flags ?? {}) as Layer);

  const result = configurationSchema.safeParse(merged);
  if (!result.success) {
    const problems = result.error.issues.map((issue) => {
      const keys = issue.code === "unrecognized_keys" ? issue.keys.map((key) => [...issue.path, key].join(".")) : [];
      const name = keys.length > 0 ? keys.join(", ") : issue.path.join(".") || "(root)";
      return `${name}: ${issue.code === "unrecognized_keys" ? "unknown configuration key" : issue.message}`;
    });
    throw new ConfigurationError(`invalid configuration: ${problems.join("; ")}`);
  }
  return deepFreeze(result.data);
}
