/**
 * The CLI's session transcripts: `$CLAUDE_CONFIG_DIR/projects/<cwd slug>/<session id>.jsonl`,
 * appended to as the session goes on (measured with 2.1.197). `--resume <id>` finds a session
 * only there, under the working directory of the new process — but a transcript copied into
 * another config dir, under another working directory's slug, resumes fine (measured). So the
 * gateway keeps transcripts in its store, and any instance can resume any conversation.
 */
import { constants } from "node:fs";
import { mkdir, open, writeFile } from "node:fs/promises";
import { homedir } from "node:os";
import { dirname, join } from "node:path";

/** The CLI's config dir for this environment (CLAUDE_CONFIG_DIR, else ~/.claude). */
export function claudeConfigDirectory(environment: NodeJS.ProcessEnv): string {
  return environment.CLAUDE_CONFIG_DIR || join(environment.HOME || homedir(), ".claude");
}

const sessionIdPattern = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** A session id from a store could be anything; only a real one may become part of a path. */
export function isSessionId(sessionId: string): boolean {
  return sessionIdPattern.test(sessionId);
}

/** The directory of `cwd`'s transcripts: the CLI names it after the path, every other character a dash. */
export function projectDirectory(configDirectory: string, cwd: string): string {
  return join(configDirectory, "projects", cwd.replace(/[^a-zA-Z0-9]/g, "-"));
}

export function transcriptPath(configDirectory: string, cwd: string, sessionId: string): string {
  if (!isSessionId(sessionId)) throw new Error(`not a CLI session id: ${JSON.stringify(sessionId)}`);
  return join(projectDirectory(configDirectory, cwd), `${sessionId}.jsonl`);
}

/**
 * The transcript's bytes from `offset` to its current end. `ownerUid`: the file must be that user's
 * (a room's) and no link — the gateway, maybe root, must not be made to read anything else.
 */
export async function readTranscriptFrom(
  path: string,
  offset: number,
  ownerUid?: number,
): Promise<{ offset: number; text: string }> {
  const file = await open(path, constants.O_RDONLY | constants.O_NOFOLLOW);
  try {
    const { size, uid } = await file.stat();
    if (ownerUid !== undefined && uid !== ownerUid) throw new Error(`${path} is not the room user's file`);
    const buffer = Buffer.alloc(Math.max(0, size - offset));
    await file.read(buffer, 0, buffer.length, offset);
    return { offset, text: buffer.toString("utf8") };
  } finally {
    await file.close();
  }
}

/** Puts a transcript where `--resume` finds it (a room's user writes its own: rooms/write-as-user.ts). */
export async function writeTranscript(path: string, text: string): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  await writeFile(path, text, { mode: 0o600 });
}
