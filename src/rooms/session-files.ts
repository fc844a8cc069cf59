/**
 * The CLI's own files of its sessions: transcripts under `<config dir>/projects/<cwd slug>/` and,
 * in a room's config dir (the gateway's alone), the per-session state beside them. They go when
 * their conversation is deleted or expires; and, swept by age, those of sessions no conversation
 * recorded (one-off completions, abandoned turns, live sessions) — or the CLI would keep every
 * session it ever ran. Model-only processes share the operator's config dir: there only the
 * gateway workspace's transcripts are touched.
 */
import { join } from "node:path";
import type { Room } from "../claude/launch-profile.js";
import { userOfRoom } from "../claude/launch-profile.js";
import { isSessionId, projectDirectory } from "../claude/session-transcript.js";
import type { Logger } from "../observability/logger.js";
import { type RemovalJob, removeAsUser } from "./remove-as-user.js";

/**
 * Per-session state the CLI keeps in its config dir besides transcripts: session-env and
 * shell-snapshots appear in every agent room (2.1.197); the others when their features run.
 */
const sessionStateDirectories = ["session-env", "file-history", "todos", "shell-snapshots", "debug"];

export interface SessionFilePlaces {
  /** The model room: the operator's config dir, the gateway's workspace. */
  shared: Room;
  /** The room of an owner that has one (agents, live sessions). */
  roomOf(owner: string): Room | undefined;
  /** Every room, by owner. */
  rooms(): Array<{ owner: string; room: Room }>;
}

export class SessionFiles {
  /** Removals run one at a time: each is a child process, and DELETE is never rate-limited. */
  private tail: Promise<unknown> = Promise.resolve();
  /**
   * Sessions waiting for the CLI to finish with their files, by owner: removed together, one child
   * per place for all of them (a child per one-off request would cost the turns around it CPU).
   */
  private readonly waiting = new Map<string, Set<string>>();
  private flushTimer: NodeJS.Timeout | undefined;

  constructor(
    private readonly places: SessionFilePlaces,
    private readonly logger: Logger,
  ) {}

  /**
   * Removes the files of these sessions of `owner`, wherever its processes may have run them —
   * now, and once more when the CLI has flushed what it still had (it writes lines of a /clear
   * ~0.1 s after the /clear returned, measured with 2.1.197). Never fails: what could not be
   * removed is logged, and the sweep by age takes it.
   */
  async remove(owner: string, sessionIds: readonly string[]): Promise<number> {
    const removed = await this.removeNow(owner, sessionIds);
    this.discard(owner, sessionIds);
    return removed;
  }

  /**
   * Removes them once the CLI is done with them: a one-off session (`"store": false`) is never
   * resumed, so its files go once its process has been cleared for the next request, rather than
   * wait a day for the sweep — a client sending large one-off requests would fill the disk.
   */
  discard(owner: string, sessionIds: readonly string[], afterMs = 2_000): void {
    const waiting = this.waiting.get(owner) ?? new Set<string>();
    for (const id of sessionIds) waiting.add(id);
    this.waiting.set(owner, waiting);
    if (this.flushTimer) return;
    this.flushTimer = setTimeout(() => void this.flush(), afterMs);
    this.flushTimer.unref();
  }

  /** Shutdown (the CLI processes have ended): what waits is removed now, and every removal awaited. */
  async close(): Promise<void> {
    await this.flush();
    await this.tail;
  }

  private async flush(): Promise<void> {
    clearTimeout(this.flushTimer);
    this.flushTimer = undefined;
    const batch = [...this.waiting];
    this.waiting.clear();
    const all = batch.flatMap(([, ids]) => [...ids]);
    const rooms = batch.map(([owner, ids]) => ({ room: this.places.roomOf(owner), ids: [...ids] }));
    await this.removeFrom(undefined, all);
    for (const { room, ids } of rooms) if (room) await this.removeFrom(room, ids);
  }

  /** Removes the model room's session files last modified before `before` (Unix ms). */
  sweepShared(before: number): Promise<number> {
    return this.serially(() =>
      removeAsUser(undefined, { ...sharedDirectories(this.places.shared), modifiedBefore: before }),
    );
  }

  /** Removes the session files of a room last modified before `before` (Unix ms). */
  sweepRoom(room: Room, before: number): Promise<number> {
    return this.serially(() => removeAsUser(userOfRoom(room), { ...roomDirectories(room), modifiedBefore: before }));
  }

  private async removeNow(owner: string, sessionIds: readonly string[]): Promise<number> {
    const room = this.places.roomOf(owner);
    return (await this.removeFrom(undefined, sessionIds)) + (room ? await this.removeFrom(room, sessionIds) : 0);
  }

  /** From the model room (`room` undefined) or a room; never fails (logged). */
  private async removeFrom(room: Room | undefined, sessionIds: readonly string[]): Promise<number> {
    const prefixes = sessionIds.filter(isSessionId);
    if (prefixes.length === 0) return 0;
    const job = room ? { ...roomDirectories(room), prefixes } : { ...sharedDirectories(this.places.shared), prefixes };
    try {
      return await this.serially(() => removeAsUser(room && userOfRoom(room), job));
    } catch (error) {
      this.logger.warn({ error: String(error) }, "removing session files failed");
      return 0;
    }
  }

  private serially<T>(work: () => Promise<T>): Promise<T> {
    const run = this.tail.then(work);
    this.tail = run.catch(() => {});
    return run;
  }
}

function sharedDirectories(room: Room): Pick<RemovalJob, "directories"> {
  return { directories: [{ path: projectDirectory(room.configDirectory, room.cwd), depth: 1 }] };
}

/** A room's sessions may have run in other working directories (a live session's cwd): every slug. */
function roomDirectories(room: Room): Pick<RemovalJob, "directories"> {
  return {
    directories: [
      { path: join(room.configDirectory, "projects"), depth: 2 },
      ...sessionStateDirectories.map((name) => ({ path: join(room.configDirectory, name), depth: 1 as const })),
    ],
  };
}
