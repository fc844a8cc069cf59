/**
 * Writes a file into a room as the room's own user. Root must not write into a directory another
 * user owns: a link planted there (`projects/<slug>` → /etc/cron.d) would turn the write into one
 * anywhere. As the room's user, the kernel allows exactly what that user may do.
 */
import { runAsUser } from "./run-as-user.js";

const writer = `
const { mkdirSync, writeFileSync } = require("node:fs");
const { dirname } = require("node:path");
const chunks = [];
process.stdin.on("data", (chunk) => chunks.push(chunk));
process.stdin.on("end", () => {
  const path = process.argv[1];
  mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
  writeFileSync(path, Buffer.concat(chunks), { mode: 0o600 });
});
`;

export async function writeFileAsUser(user: { uid: number; gid: number }, path: string, text: string): Promise<void> {
  await runAsUser(user, writer, [path], text).catch((error: Error) => {
    throw new Error(`writing ${path} failed ${error.message}`);
  });
}
