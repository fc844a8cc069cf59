/**
 * The local paths a file tool's input names, checked against the directories a room may touch.
 * The gateway applies this to every permission question of a live session, before and after the
 * client answers: a client may approve its own requests, but not a Read of another room (the CLI's
 * deny rules say the same; this is the gateway's own word on it). Tools a client allowed up front
 * are never asked, so clients may not pre-approve file tools (live-sessions.ts).
 */
import { dirname, isAbsolute, resolve } from "node:path";
import { realPathInside } from "./real-path-inside.js";

const pathFields = ["file_path", "path", "notebook_path"];

/** true when every path in `input` lies inside `directories` (a new file: its existing parent). */
export async function toolPathsInside(input: unknown, cwd: string, directories: readonly string[]): Promise<boolean> {
  if (typeof input !== "object" || input === null) return true;
  for (const field of pathFields) {
    const value = (input as Record<string, unknown>)[field];
    if (value === undefined) continue;
    if (typeof value !== "string") return false;
    const path = isAbsolute(value) ? value : resolve(cwd, value);
    const inside = (await realPathInside(path, directories)) ?? (await realPathInside(dirname(path), directories));
    if (!inside) return false;
  }
  return true;
}
