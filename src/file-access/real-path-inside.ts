/** Where callers may point the gateway at local paths: only inside the directories it allows. */
import { realpath } from "node:fs/promises";
import { isAbsolute, relative, resolve, sep } from "node:path";

/**
 * The real path of `path` (links resolved) if it exists and lies in one of `directories` (or is
 * one); undefined otherwise — a missing path and a forbidden one look the same.
 */
export async function realPathInside(path: string, directories: readonly string[]): Promise<string | undefined> {
  const real = await realpath(resolve(path)).catch(() => undefined);
  if (!real) return undefined;
  for (const directory of directories) {
    const root = await realpath(directory).catch(() => undefined);
    if (!root) continue;
    const rest = relative(root, real);
    // "..name" is a file inside; only ".." itself or "../…" leaves the directory.
    if (rest !== ".." && !rest.startsWith(`..${sep}`) && !isAbsolute(rest)) return real;
  }
  return undefined;
}
