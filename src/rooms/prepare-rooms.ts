/**
 * Rooms at start-up (composition): everyone who may run an agent or a live session gets a room
 * now, the files no agent may read are named, and the operator's MCP servers are handed out.
 */
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { homedir } from "node:os";
import { dirname, join, resolve } from "node:path";
import type { Caller } from "../auth/caller.js";
import { claudeConfigDirectory } from "../claude/session-transcript.js";
import type { Configuration } from "../config/configuration-schema.js";
import { LaunchProfiles } from "./launch-profiles.js";
import { Rooms } from "./rooms.js";
import type { UpstreamProxy } from "./upstream-proxy.js";

/**
 * The rooms of everyone who may run an agent, made now, so that each agent's sandbox names every
 * other room from the start. The operator's MCP servers go to each room as a private file (never
 * on argv, where `ps` shows them to anyone on the machine).
 */
export function prepareRooms(
  configuration: Configuration,
  /** The callers that can run agents or live sessions. */
  roomed: Caller[],
  environment: NodeJS.ProcessEnv,
  command: string,
  protectedPaths: readonly string[],
  proxy: UpstreamProxy | undefined,
): LaunchProfiles {
  const { data_dir: dataDirectory, mcp, claude, agent, auth, store } = configuration;
  const loginDirectory = claudeConfigDirectory(environment);
  const rooms = new Rooms({
    root: agent.rooms_dir,
    dataDirectory,
    loginDirectory,
    // The gateway's configuration (config/ where it starts, --config), keys, store and home.
    protectedPaths: [
      homedir(),
      join(process.cwd(), "config"),
      ...protectedPaths,
      ...[auth.keys_file, mcp.config_file].filter((path): path is string => path !== undefined),
      ...(store.url.startsWith("sqlite:") ? [dirname(resolve(store.url.slice("sqlite:".length)))] : []),
    ],
    uidBase: process.getuid?.() === 0 ? agent.room_uid_base : undefined,
  });
  for (const caller of roomed) rooms.of(caller.owner);
  if (roomed[0]) {
    rooms.checkReachable(command, roomed[0].owner);
    rooms.checkSecretFiles(
      [...configurationFiles(), ...protectedPaths, auth.keys_file, mcp.config_file].filter(isString),
    );
  }
  const mcpServers = !mcp.enabled ? undefined : (mcp.config_json ?? readFileSync(mcp.config_file ?? "", "utf8"));
  const modelRoom = { cwd: claude.workspace, configDirectory: loginDirectory };
  return new LaunchProfiles(configuration, rooms, modelRoom, mcpServers, environment, proxy);
}

/** The TOML files loadConfiguration reads from `config/` where the gateway starts. */
function configurationFiles(): string[] {
  const directory = join(process.cwd(), "config");
  return existsSync(directory)
    ? readdirSync(directory)
        .filter((name) => name.endsWith(".toml"))
        .map((name) => join(directory, name))
    : [];
}

function isString(value: string | undefined): value is string {
  return value !== undefined;
}
