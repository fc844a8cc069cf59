/**
 * A room per owner: the working directory and the CLI config dir (transcripts, the CLI's state) of
 * the owner's agent processes, under `<agent.rooms_dir>/<owner>/`. Rooms are made at start-up for
 * every caller that can run an agent, so that each agent's sandbox and deny rules name every other
 * room from its first turn on (see agent-settings.ts).
 *
 * Claude Code's sandbox does not hold against root (measured, decision 0009: a sandboxed command
 * of root's kept its capabilities, mounted the disk and wrote outside). So when the gateway runs as
 * root, each room's CLI runs as a user of its own (`agent.room_uid_base` + n, kept in the room's
 * ownership across restarts): the room is that user's, mode 0700, and nothing else of the
 * gateway's is. Not as root, the sandbox itself is the wall (it works for unprivileged users).
 *
 * Model-only processes need no room: they have no tool that touches files (measured), so they
 * share the model room — the gateway's workspace and the CLI's usual config dir — and the pool
 * keeps each process to one owner once it served one.
 */
import {
  accessSync,
  chownSync,
  constants,
  existsSync,
  mkdirSync,
  readdirSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import { dirname, join, relative, sep } from "node:path";
import type { Room } from "../claude/launch-profile.js";
import { ConfigurationError } from "../config/configuration-error.js";

/** The CLI's login file (`claude auth login`), linked into each room so an OAuth login works there too. */
export const credentialsFile = ".credentials.json";

export interface RoomsOptions {
  root: string;
  dataDirectory: string;
  /** The CLI config dir the operator logged in with (also the model room's). */
  loginDirectory: string;
  /** Set when the gateway runs as root: rooms get users of their own from here on. */
  uidBase: number | undefined;
}

export class Rooms {
  private readonly rooms = new Map<string, Room>();

  constructor(private readonly options: RoomsOptions) {
    mkdirSync(options.root, { recursive: true, mode: 0o711 });
  }

  /** The owner's room, made (0700, its own user's under root) on first use. */
  of(owner: string): Room {
    const known = this.rooms.get(owner);
    if (known) return known;
    const base = this.baseOf(owner);
    const fresh = !existsSync(base);
    mkdirSync(base, { recursive: true, mode: 0o700 });
    const user = this.userOf(base, fresh);
    const room: Room = Object.freeze({
      cwd: join(base, "workspace"),
      configDirectory: join(base, "claude"),
      home: base,
      ...user,
    });
    for (const directory of [room.cwd, room.configDirectory]) {
      mkdirSync(directory, { recursive: true, mode: 0o700 });
      if (user) chownSync(directory, user.uid, user.gid);
    }
    const login = join(this.options.loginDirectory, credentialsFile);
    const linked = join(room.configDirectory, credentialsFile);
    if (existsSync(login) && !existsSync(linked)) symlinkSync(login, linked);
    this.rooms.set(owner, room);
    return room;
  }

  /** A file only the room's CLI reads (0600, the room user's): returns its path. */
  writeSecret(room: Room, name: string, text: string): string {
    const path = join(room.configDirectory, name);
    writeFileSync(path, text, { mode: 0o600 });
    if (room.uid !== undefined) chownSync(path, room.uid, room.gid ?? room.uid);
    return path;
  }

  /**
   * What `owner`'s agents may not touch: the gateway's data dir (the store, the model room), the
   * operator's CLI config dir (every model-only conversation's transcript, the login) and every
   * other room — never a directory that contains the owner's own room (its entries instead).
   */
  forbiddenFor(owner: string): string[] {
    const own = this.baseOf(owner);
    const { dataDirectory, loginDirectory, root } = this.options;
    const others = readdirSync(root).map((name) => join(root, name));
    return [...new Set([dataDirectory, loginDirectory, ...others].flatMap((path) => around(path, own)))];
  }

  /**
   * As root, a room's user must reach its room and run the CLI: every directory on the way needs
   * search permission for others (a data dir under /root does not have it).
   */
  checkReachable(command: string): void {
    if (this.options.uidBase === undefined) return;
    for (const [path, key] of [
      [this.options.root, "agent.rooms_dir"],
      [command, "claude.command"],
    ] as const) {
      for (let directory = dirname(path); ; directory = dirname(directory)) {
        if ((statSync(directory).mode & 0o001) === 0) {
          throw new ConfigurationError(
            `${key}: ${path} cannot be reached by the users rooms run as (${directory} is not searchable by others); as root, put the rooms where other users can reach them (e.g. agent.rooms_dir = "/srv/claude-code-api/rooms"), or run the gateway as an unprivileged user`,
          );
        }
        if (directory === dirname(directory)) break;
      }
    }
    accessSync(command, constants.X_OK);
  }

  private baseOf(owner: string): string {
    return join(this.options.root, roomName(owner));
  }

  /** Under root: the room's user — the one it already belongs to, or the next free id. */
  private userOf(base: string, fresh: boolean): { uid: number; gid: number } | undefined {
    const { uidBase, root } = this.options;
    if (uidBase === undefined) return undefined;
    const current = statSync(base).uid;
    if (!fresh && current >= uidBase) return { uid: current, gid: current };
    const taken = new Set(readdirSync(root).map((name) => statSync(join(root, name)).uid));
    let uid = uidBase;
    while (taken.has(uid)) uid++;
    chownSync(base, uid, uid);
    return { uid, gid: uid };
  }
}

/** `path`, or — when it contains `own` — its entries, recursively, but never `own` itself. */
function around(path: string, own: string): string[] {
  if (path === own) return [];
  const rest = relative(path, own);
  const contains = rest !== ".." && !rest.startsWith(`..${sep}`) && !rest.startsWith(sep);
  if (!contains) return [path];
  if (!existsSync(path)) return [];
  return readdirSync(path).flatMap((name) => around(join(path, name), own));
}

/** Owner ids are `key_<hex>` (safe as a path segment); the operator's is "". */
function roomName(owner: string): string {
  if (owner === "") return "operator";
  if (!/^key_[0-9a-f]{16}$/.test(owner)) throw new Error(`not an owner id: ${JSON.stringify(owner)}`);
  return owner;
}
