import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { ConfigurationError } from "./configuration-error.js";
import { loadConfiguration } from "./load-configuration.js";

describe("loadConfiguration", () => {
  let directory: string;
  beforeEach(() => {
    directory = mkdtempSync(join(tmpdir(), "ccapi-config-"));
    mkdirSync(join(directory, "config"));
  });
  afterEach(() => rmSync(directory, { recursive: true, force: true }));

  const write = (name: string, text: string) => writeFileSync(join(directory, "config", name), text);

  it("has safe built-in defaults", () => {
    const configuration = loadConfiguration({ directory, environment: {} });
    expect(configuration.server).toEqual({
      host: "127.0.0.1",
      port: 8080,
      sse_keepalive_seconds: 15,
      body_limit_mb: 50,
      max_body_mb_in_flight: 100,
      cors_origins: [],
      shutdown_grace_seconds: 10,
      header_timeout_seconds: 20,
      body_timeout_seconds: 120,
      max_connections: 1024,
      max_connections_per_address: 128,
      keep_alive_timeout_seconds: 5,
      max_requests_per_connection: 1000,
      stream_buffer_kb: 1024,
      // Forwarded headers are believed from no one until the operator names a proxy.
      trusted_proxies: [],
    });
    expect(configuration.auth).toMatchObject({ api_keys: [], allow_anonymous_remote: false });
    expect(configuration.claude).toMatchObject({
      timeout_seconds: 300,
      max_concurrent_sessions: 10,
      use_interactive_sessions: true,
      pool_min_idle: 2,
      setting_sources: "",
    });
    expect(configuration.mcp).toMatchObject({ enabled: false, strict: true });
    expect(configuration.claude.command).toBeUndefined();
    expect(configuration.claude.workspace).toBe(join(configuration.data_dir, "workspace"));
    expect(Object.isFrozen(configuration.claude)).toBe(true);
  });

  it("layers files, RUN_MODE, local, --config, environment and flags in that order", () => {
    write(
      "default.toml",
      "[server]\nport = 1001\nhost = 'default-host'\n[claude]\npool_min_idle = 1\ntimeout_seconds = 11\n",
    );
    write("test.toml", "[server]\nport = 1002\n[claude]\ntimeout_seconds = 22\n");
    write("local.toml", "[server]\nport = 1003\n");
    const extra = join(directory, "extra.toml");
    writeFileSync(extra, "[server]\nport = 1004\n[claude]\ndefault_model = 'sonnet'\n");
    const environment = {
      RUN_MODE: "test",
      CLAUDE_CODE__SERVER__PORT: "1005",
      CLAUDE_CODE__CLAUDE__DEFAULT_MODEL: "opus",
    };

    const withoutFlags = loadConfiguration({ directory, environment, configFile: extra });
    expect(withoutFlags.server.port).toBe(1005);
    expect(withoutFlags.server.host).toBe("default-host");
    expect(withoutFlags.claude.timeout_seconds).toBe(22);
    expect(withoutFlags.claude.pool_min_idle).toBe(1);
    expect(withoutFlags.claude.default_model).toBe("opus");

    const withFlags = loadConfiguration({
      directory,
      environment,
      configFile: extra,
      flags: { server: { port: 1006 } },
    });
    expect(withFlags.server.port).toBe(1006);
  });

  it("reads environment values as JSON for non-string keys and verbatim for strings", () => {
    const configuration = loadConfiguration({
      directory,
      environment: {
        CLAUDE_CODE__CLAUDE__USE_INTERACTIVE_SESSIONS: "false",
        CLAUDE_CODE__CLAUDE__MAX_CONCURRENT_SESSIONS: "3",
        CLAUDE_CODE__CLAUDE__COMMAND: "/opt/claude",
        CLAUDE_CODE__CLAUDE__SETTING_SOURCES: "",
        CLAUDE_CODE__DATA_DIR: "/var/lib/ccapi",
      },
    });
    expect(configuration.claude.use_interactive_sessions).toBe(false);
    expect(configuration.claude.max_concurrent_sessions).toBe(3);
    expect(configuration.claude.command).toBe("/opt/claude");
    expect(configuration.claude.setting_sources).toBe("");
    expect(configuration.claude.workspace).toBe("/var/lib/ccapi/workspace");
  });

  it.each([
    [{ CLAUDE_CODE__SERVER__PORT: "eighty" }, /server\.port.*CLAUDE_CODE__SERVER__PORT must be JSON/],
    [{ CLAUDE_CODE__SERVER__PORT: "70000" }, /server\.port/],
    [{ CLAUDE_CODE__SERVER__PROT: "8080" }, /server\.prot: unknown configuration key/],
    [{ CLAUDE_CODE__CLAUDE__SYSTEM_PROMPT_MODE: "merge" }, /claude\.system_prompt_mode/],
    [
      { CLAUDE_CODE__CLAUDE__POOL_MIN_IDLE: "5", CLAUDE_CODE__CLAUDE__MAX_CONCURRENT_SESSIONS: "2" },
      /claude\.pool_min_idle/,
    ],
    [
      { CLAUDE_CODE__SERVER__HEADER_TIMEOUT_SECONDS: "30", CLAUDE_CODE__SERVER__BODY_TIMEOUT_SECONDS: "10" },
      /server\.header_timeout_seconds: must not exceed server\.body_timeout_seconds/,
    ],
    [
      {
        CLAUDE_CODE__SESSIONS__ENABLED: "true",
        CLAUDE_CODE__SERVER__STREAM_BUFFER_KB: "64",
        CLAUDE_CODE__SESSIONS__MAX_HISTORY_KB: "1024",
      },
      /sessions\.max_history_kb: must not exceed 8 × server\.stream_buffer_kb/,
    ],
    [{ CLAUDE_CODE__SERVER__ADVERTISE_URL: "ftp://10.0.0.5:8080" }, /server\.advertise_url/],
    [{ CLAUDE_CODE__SERVER__ADVERTISE_URL: "http://10.0.0.5:8080/api" }, /server\.advertise_url: must be an origin/],
  ])("stops with a message naming the key for %j", (environment, message) => {
    expect(() => loadConfiguration({ directory, environment })).toThrow(ConfigurationError);
    expect(() => loadConfiguration({ directory, environment })).toThrow(message);
  });

  it("takes server.advertise_url as an origin (registered without its trailing slash)", () => {
    const environment = { CLAUDE_CODE__SERVER__ADVERTISE_URL: "http://10.0.0.5:8080/" };
    expect(loadConfiguration({ directory, environment }).server.advertise_url).toBe("http://10.0.0.5:8080/");
  });

  it("names the file and key of a bad TOML value, and a missing --config file", () => {
    write("default.toml", "[claude]\ntimeout_seconds = 'soon'\n");
    expect(() => loadConfiguration({ directory, environment: {} })).toThrow(/claude\.timeout_seconds/);
    write("default.toml", "[claude\n");
    expect(() => loadConfiguration({ directory, environment: {} })).toThrow(/default\.toml/);
    expect(() => loadConfiguration({ directory, environment: {}, configFile: join(directory, "nope.toml") })).toThrow(
      /no such file/,
    );
  });
});
