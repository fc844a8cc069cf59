/**
 * The launch profile of each request: its command line (claude-arguments.ts), its owner (a process
 * never serves two), and its room — the shared model room for a model, the owner's own room for an
 * agent — plus the environment its process gets (claude-environment.ts and the switches below).
 */
import { join } from "node:path";
import { type AgentContext, claudeArguments } from "../claude/claude-arguments.js";
import { claudeEnvironment, hiddenFromTools } from "../claude/claude-environment.js";
import { clientServerName } from "../claude/client-tool-server.js";
import {
  createLaunchProfile,
  initializeForSystemPrompt,
  type LaunchProfile,
  type ProcessNeeds,
  type Room,
  userOfRoom,
} from "../claude/launch-profile.js";
import type { Configuration } from "../config/configuration-schema.js";
import { credentialsFile, type Rooms } from "./rooms.js";
import type { SessionFilePlaces } from "./session-files.js";
import { credentialVariables, type UpstreamProxy } from "./upstream-proxy.js";

export class LaunchProfiles {
  /** Per owner: where its agents live and what they may not touch (fixed for the gateway's life, so spawn keys stay stable). */
  private readonly agents = new Map<string, AgentContext>();

  constructor(
    private readonly configuration: Configuration,
    private readonly rooms: Rooms,
    /** Where model-only processes run: the gateway's workspace and the operator's CLI config dir. */
    private readonly modelRoom: Room,
    /** The operator's MCP servers' configuration (JSON), when mcp.enabled. */
    private readonly mcpServers: string | undefined,
    /** The gateway's environment, of which the CLI gets the allow-listed part. */
    private readonly gatewayEnvironment: NodeJS.ProcessEnv,
    /** Stands in for the upstream credential in agents' processes (when it is in the environment). */
    private readonly proxy: UpstreamProxy | undefined,
  ) {}

  /** The profile spares are spawned with: a model, nobody's yet. */
  spare(): LaunchProfile {
    return this.forRequest("", undefined);
  }

  /** `cwd`: a live session's working directory inside the owner's room (or additional_dirs). */
  forRequest(owner: string, systemPrompt: string | undefined, needs: ProcessNeeds = {}, cwd?: string): LaunchProfile {
    const { configuration } = this;
    const initialize = initializeForSystemPrompt(systemPrompt, configuration.claude.system_prompt_mode);
    if (needs.clientTools) initialize.sdkMcpServers = [clientServerName];
    if (!needs.agent) return createLaunchProfile(claudeArguments(configuration, needs), initialize, { owner });
    const agent = this.agentContext(owner);
    const { room } = agent.placement;
    const args = claudeArguments(configuration, needs, agent);
    return createLaunchProfile(args, initialize, { owner, room: cwd === undefined ? room : { ...room, cwd } });
  }

  private agentContext(owner: string): AgentContext {
    let agent = this.agents.get(owner);
    if (!agent) {
      const room = this.rooms.of(owner);
      // The MCP servers' configuration (tokens in their env, often) as the room's own private file:
      // readable by the room's CLI, which may run as the room's user, and denied to its tools.
      const mcpConfigPath =
        this.mcpServers === undefined ? undefined : this.rooms.writeSecret(owner, "mcp-servers.json", this.mcpServers);
      const environment = this.environmentOf(room, owner, true);
      agent = {
        placement: {
          room,
          forbidden: this.rooms.forbiddenFor(owner),
          additionalDirs: this.configuration.file_access.additional_dirs,
          secretFiles: [join(room.configDirectory, credentialsFile), ...(mcpConfigPath ? [mcpConfigPath] : [])],
          hiddenVariables: hiddenFromTools(environment),
          sandbox: this.configuration.agent.sandbox,
        },
        mcpConfigPath,
      };
      this.agents.set(owner, agent);
    }
    return agent;
  }

  /** The room `owner`'s agents work in. */
  agentRoom(owner: string): Room {
    return this.agentContext(owner).placement.room;
  }

  /** Where processes keep their session files: the model room, and each owner's room. */
  sessionFilePlaces(): SessionFilePlaces {
    return { shared: this.modelRoom, roomOf: (owner) => this.rooms.find(owner), rooms: () => this.rooms.all() };
  }

  /** The user a profile's processes run as (a room's own under root), if not the gateway's. */
  userOf(profile: LaunchProfile): { uid: number; gid: number } | undefined {
    return userOfRoom(this.roomOf(profile));
  }

  /** Where a profile's processes keep their transcripts. */
  roomOf(profile: LaunchProfile): Room {
    return profile.room ?? this.modelRoom;
  }

  /**
   * A process's environment: the allow-listed part of the gateway's, its room's config dir, and
   * the CLI's own switches for what a gateway process must not do: auto memory and background
   * tasks everywhere (a background command outlives its turn, and can race the file tools); for a
   * model also CLAUDE.md files (measured in decision 0009) and `@path` attachments.
   */
  environmentFor(profile: LaunchProfile): NodeJS.ProcessEnv {
    return this.environmentOf(this.roomOf(profile), profile.owner, profile.room !== undefined);
  }

  private environmentOf(room: Room, owner: string, agent: boolean): NodeJS.ProcessEnv {
    const fixed: Record<string, string> = {
      CLAUDE_CONFIG_DIR: room.configDirectory,
      CLAUDE_CODE_DISABLE_AUTO_MEMORY: "1",
      CLAUDE_CODE_DISABLE_BACKGROUND_TASKS: "1",
    };
    if (room.home !== undefined) fixed.HOME = room.home;
    // The room's own temp dir: the CLI and its sandbox otherwise share /tmp/claude* between rooms.
    if (room.tmp !== undefined) {
      fixed.TMPDIR = room.tmp;
      fixed.CLAUDE_CODE_TMPDIR = room.tmp;
      fixed.CLAUDE_TMPDIR = room.tmp;
    }
    if (!agent) {
      fixed.CLAUDE_CODE_DISABLE_CLAUDE_MDS = "1";
      // A model reads no file: the CLI attaches any file or directory a user message names with
      // `@path` (measured: /etc/passwd, another key's transcript), checking only deny rules. An
      // agent keeps the feature, inside its room's rules.
      fixed.CLAUDE_CODE_DISABLE_ATTACHMENTS = "1";
    }
    const environment = claudeEnvironment(this.gatewayEnvironment, this.configuration.claude.env_passthrough, fixed);
    if (!agent || !this.proxy) return environment;
    // An agent: no upstream credential at all, its room's token for the proxy instead.
    for (const name of credentialVariables) delete environment[name];
    return { ...environment, ...this.proxy.environmentFor(owner) };
  }
}
