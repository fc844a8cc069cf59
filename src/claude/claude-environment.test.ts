import { describe, expect, it } from "vitest";
import { claudeEnvironment, hiddenFromTools } from "./claude-environment.js";

describe("claudeEnvironment", () => {
  it("passes the allow-list, the operator's extras and the fixed values; never the gateway's configuration", () => {
    const source = {
      PATH: "/bin",
      HOME: "/home/gw",
      LC_ALL: "C.UTF-8",
      HTTPS_PROXY: "http://proxy:3128",
      ANTHROPIC_API_KEY: "sk-ant",
      CLAUDE_CODE_OAUTH_TOKEN: "oauth",
      CLAUDE_CODE__AUTH__API_KEYS: '["gateway-secret"]',
      CLAUDE_CODE__STORE__URL: "redis://:password@redis:6379",
      REDIS_PASSWORD: "secret",
      AWS_SECRET_ACCESS_KEY: "aws",
      AWS_REGION: "eu-west-1",
      CLAUDE_CONFIG_DIR: "/home/gw/.claude",
    };
    const environment = claudeEnvironment(source, ["AWS_REGION"], { CLAUDE_CONFIG_DIR: "/rooms/a/claude" });
    expect(environment).toEqual({
      PATH: "/bin",
      HOME: "/home/gw",
      LC_ALL: "C.UTF-8",
      HTTPS_PROXY: "http://proxy:3128",
      ANTHROPIC_API_KEY: "sk-ant",
      CLAUDE_CODE_OAUTH_TOKEN: "oauth",
      AWS_REGION: "eu-west-1",
      CLAUDE_CONFIG_DIR: "/rooms/a/claude",
    });
  });

  it("hides from an agent's tools every variable that could be a credential", () => {
    const hidden = hiddenFromTools({
      PATH: "/bin",
      HOME: "/rooms/a",
      LC_ALL: "C",
      HTTPS_PROXY: "http://proxy",
      CLAUDE_CONFIG_DIR: "/rooms/a/claude",
      CLAUDE_CODE_DISABLE_AUTO_MEMORY: "1",
      ANTHROPIC_API_KEY: "sk",
      ANTHROPIC_CUSTOM_HEADERS: "x-secret: 1",
      CLAUDE_CODE_OAUTH_TOKEN: "oauth",
      AWS_SECRET_ACCESS_KEY: "aws",
    });
    expect(hidden.sort()).toEqual([
      "ANTHROPIC_API_KEY",
      "ANTHROPIC_CUSTOM_HEADERS",
      "AWS_SECRET_ACCESS_KEY",
      "CLAUDE_CODE_OAUTH_TOKEN",
    ]);
  });
});
