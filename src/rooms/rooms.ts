/**
 * A room per owner: the working directory, CLI config dir (transcripts, the CLI's state) and temp
 * dir of the owner's agent processes, under `<agent.rooms_dir>/<owner>/`. Rooms are made at
 * start-up for every caller that can run an agent or a live session, so that each agent's sandbox
 * and deny rules name every other room from its first turn on (see agent-settings.ts).
 *
 * Claude Code's sandbox does not hold against root (measured, decision 0009: a sandboxed command
 * of root's kept its capabilities, mounted the disk and wrote outside). So when the gateway runs as
 * root, each room's CLI runs as a user of its own (`agent.room_uid_base` + n, kept in the room's
 * ownership across restarts): the room is that user's, mode 0700, and nothing else of the
 * gateway's is. Root then never writes into a directory a room's user owns (a planted link would
 * turn that into a write anywhere): what the room needs from the gateway later is written as its
 * user (room-files.ts), and its secrets wait in a directory of root's. Not as root, the sandbox
 * itself is the wall (it works for unprivileged users).
 *
 * Model-only processes need no room: they have no tool that touches files (measured), so they
 * share the model room — the gateway's workspace and the CLI's usual config dir — and the pool
 * keeps each process to one owner once it served one.
 */
import { spawnSync } from "node:child_process";
import {
  chownSync,
  existsSync,
  lchownSync,
  lstatSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import { join, relative, sep } from "node:path";
import type { Room } from "../claude/launch-profile.js";
import { ConfigurationError } from "../config/configuration-error.js";

/** The CLI's login file (`claude auth login`), linked into each room (not under root: see below). */
export const credentialsFile = ".credentials.json";

export interface RoomsOptions {
  root: string;
  dataDirectory: string;
  /** The CLI config dir the operator logged in with (also the model room's). */
  loginDirectory: string;
  /** What else no agent may read: the gateway user's home, its configuration, keys and store files. */
  protectedPaths: readonly string[];
  /** Set when the gateway runs as root: rooms get users of their own from here on. */
  uidBase: number | undefined;
}

export class Rooms {
  private readonly rooms = new Map<string, Room>();
  /** Root's own directory for what rooms may read but not replace (their MCP configuration). */
  private readonly privateDirectory: string;

  constructor(private readonly options: RoomsOptions) {
    mkdirSync(options.root, { recursive: true, mode: 0o711 });
    this.privateDirectory = join(options.dataDirectory, "private");
  }

  /** The owner's room, made (0700, its own user's under root) on first use. */
  of(owner: string): Room {
    const known = this.rooms.get(owner);
    if (known) return known;
    const base = this.baseOf(owner);
    const fresh = !existsSync(base);
    // Made root's and private; given to the room's user only once complete, so nothing in it can
    // have been planted while root worked there.
    mkdirSync(base, { recursive: true, mode: 0o700 });
    const user = this.userOf(base, fresh);
    const [cwd, configDirectory, tmp] = ["workspace", "claude", "tmp"].map((name) => join(base, name)) as [
      string,
      string,
      string,
    ];
    const room: Room = Object.freeze({ cwd, configDirectory, tmp, home: base, ...user });
    if (fresh) {
      for (const directory of [cwd, configDirectory, tmp]) mkdirSync(directory, { mode: 0o700 });
      if (user) {
        for (const directory of [cwd, configDirectory, tmp]) lchownSync(directory, user.uid, user.gid);
        lchownSync(base, user.uid, user.gid);
      } else {
        this.linkLogin(room);
      }
    }
    this.rooms.set(owner, room);
    return room;
  }

  /** The owner's room if it has one (made at start-up for everyone who can run an agent). */
  find(owner: string): Room | undefined {
    return this.rooms.get(owner);
  }

  /** Every room made, by owner. */
  all(): Array<{ owner: string; room: Room }> {
    return [...this.rooms].map(([owner, room]) => ({ owner, room }));
  }

  /**
   * A file only the room's CLI reads (its user's, 0400) in root's private directory, which no room
   * can write to: returns its path.
   */
  writeSecret(owner: string, name: string, text: string): string {
    const room = this.of(owner);
    mkdirSync(this.privateDirectory, { recursive: true, mode: 0o711 });
    const path = join(this.privateDirectory, `${roomName(owner)}-${name}`);
    writeFileSync(path, text, { mode: 0o600 });
    if (room.uid !== undefined) chownSync(path, room.uid, room.gid ?? room.uid);
    return path;
  }

  /**
   * What `owner`'s agents may not touch: the gateway's data dir (the store, the model room), the
   * operator's CLI config dir (every model-only conversation's transcript, the login), the
   * protected paths and every other room — never a directory that contains the owner's own room
   * (its entries instead).
   */
  forbiddenFor(owner: string): string[] {
    const own = this.baseOf(owner);
    const { dataDirectory, loginDirectory, root, protectedPaths } = this.options;
    const others = readdirSync(root).map((name) => join(root, name));
    const candidates = [dataDirectory, loginDirectory, ...protectedPaths, ...others];
    return [...new Set(candidates.flatMap((path) => around(path, own)))];
  }

  /**
   * As root, a room's user must reach its room and run the CLI there: tried once at start-up, as
   * that user (a data dir under /root, or a CLI installed there, is not reachable).
   */
  checkReachable(command: string, owner: string): void {
    const room = this.of(owner);
    if (room.uid === undefined) return;
    const tried = spawnSync(command, ["--version"], {
      cwd: room.cwd,
      uid: room.uid,
      gid: room.gid ?? room.uid,
      env: { PATH: process.env.PATH, HOME: room.home },
      timeout: 30_000,
      encoding: "utf8",
    });
    if (tried.status === 0) return;
    throw new ConfigurationError(
      `agent.rooms_dir: the rooms' users (uid ${room.uid}) cannot run ${command} in ${room.cwd} (${tried.error?.message ?? tried.stderr.trim().slice(0, 200)}); as root, every directory above agent.rooms_dir and above the CLI must be searchable by other users (e.g. agent.rooms_dir = "/srv/claude-code-api/rooms"), or run the gateway as an unprivileged user`,
    );
  }

  /**
   * As root, the rooms' users are "others" to the gateway's files: a configuration, keys or MCP
   * file they could read would hand an agent every key (a file tool can be raced past its deny
   * rule, decision 0009), so such a file stops start-up.
   */
  checkSecretFiles(paths: readonly string[]): void {
    if (this.options.uidBase === undefined) return;
    for (const path of paths) {
      const mode = statSync(path, { throwIfNoEntry: false })?.mode;
      if (mode !== undefined && (mode & 0o004) !== 0) {
        throw new ConfigurationError(
          `${path} can be read by other users, who include the rooms' users: chmod o-r it (the gateway's configuration, keys and MCP servers are for the gateway alone)`,
        );
      }
    }
  }

  private baseOf(owner: string): string {
    return join(this.options.root, roomName(owner));
  }

  /** Not as root: the room's CLI is the gateway's user and may use its login. */
  private linkLogin(room: Room): void {
    const login = join(this.options.loginDirectory, credentialsFile);
    const linked = join(room.configDirectory, credentialsFile);
    const present = lstatSync(linked, { throwIfNoEntry: false }) !== undefined;
    if (existsSync(login) && !present) symlinkSync(login, linked);
  }

  /**
   * Under root: the room's user — the one it already belongs to, or the next id that no room,
   * user or group of the machine has.
   */
  private userOf(base: string, fresh: boolean): { uid: number; gid: number } | undefined {
    const { uidBase, root } = this.options;
    if (uidBase === undefined) return undefined;
    if (!fresh) {
      const { uid, gid } = statSync(base);
      if (uid >= uidBase) return { uid, gid };
      throw new ConfigurationError(
        `agent.rooms_dir: ${base} belongs to uid ${uid}, not to a room user (${uidBase} or above) — made by the gateway running as another user; remove it, or chown -R it to a free id from agent.room_uid_base on`,
      );
    }
    const taken = new Set([
      ...readdirSync(root).map((name) => statSync(join(root, name)).uid),
      ...idsIn("/etc/passwd"),
      ...idsIn("/etc/group"),
    ]);
    let uid = uidBase;
    while (taken.has(uid)) uid++;
    return { uid, gid: uid };
  }
}

/** The numeric ids (third field) of /etc/passwd or /etc/group. */
function idsIn(file: string): number[] {
  try {
    return readFileSync(file, "utf8")
      .split("\n")
      .map((line) => Number(line.split(":")[2]))
      .filter(Number.isInteger);
  } catch {
    return [];
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
