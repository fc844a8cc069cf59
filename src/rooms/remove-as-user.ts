/**
 * Removes entries of a room's CLI config dir, as the room's user (under root) or the gateway's.
 * Root must not remove inside a directory another user owns: a link planted there (`projects/x` →
 * /etc) would turn the removal into one anywhere; as the room's user the kernel allows exactly
 * what that user may do. Directories are entered only if they are real ones, not links (which
 * also guards the gateway's own user when it is not root). Both cases run the same child.
 */
import { runAsUser } from "./run-as-user.js";

export interface RemovalJob {
  /** Directories whose entries are looked at; `depth` 2 looks one level further down (projects/<slug>/). */
  directories: Array<{ path: string; depth: 1 | 2 }>;
  /** Entries whose name starts with one of these (session ids: `<id>.jsonl`, `<id>/`, `<id>-agent-….json`). */
  prefixes?: string[];
  /** … or entries last modified before this (Unix ms). */
  modifiedBefore?: number;
}

const remover = `
const { lstatSync, readdirSync, rmSync } = require("node:fs");
const { join } = require("node:path");
const job = JSON.parse(process.argv[1]);
const statOf = (path) => { try { return lstatSync(path); } catch { return undefined; } };
let removed = 0;
const visit = (directory, depth) => {
  const stats = statOf(directory);
  if (!stats || !stats.isDirectory()) return;
  for (const name of readdirSync(directory)) {
    const path = join(directory, name);
    if (depth > 1) { visit(path, depth - 1); continue; }
    const matches = job.prefixes
      ? job.prefixes.some((prefix) => name.startsWith(prefix))
      : (statOf(path)?.mtimeMs ?? Infinity) < job.modifiedBefore;
    if (!matches) continue;
    rmSync(path, { recursive: true, force: true });
    removed++;
  }
};
for (const { path, depth } of job.directories) visit(path, depth);
process.stdout.write(String(removed));
`;

/** The number of entries removed. */
export async function removeAsUser(user: { uid: number; gid: number } | undefined, job: RemovalJob): Promise<number> {
  const printed = await runAsUser(user, remover, [JSON.stringify(job)]).catch((error: Error) => {
    throw new Error(`removing session files failed ${error.message}`);
  });
  return Number(printed) || 0;
}
