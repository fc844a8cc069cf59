/**
 * Writes a file into a room as the room's own user. Root must not write into a directory another
 * user owns: a link planted there (`projects/<slug>` → /etc/cron.d) would turn the write into one
 * anywhere. As the room's user, the kernel allows exactly what that user may do.
 */
import { spawn } from "node:child_process";

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

export function writeFileAsUser(user: { uid: number; gid: number }, path: string, text: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ["-e", writer, path], {
      uid: user.uid,
      gid: user.gid,
      env: {},
      stdio: ["pipe", "ignore", "pipe"],
    });
    let stderr = "";
    child.stderr?.on("data", (chunk) => {
      stderr += chunk;
    });
    child.once("error", reject);
    child.once("exit", (code) =>
      code === 0 ? resolve() : reject(new Error(`writing ${path} as uid ${user.uid} failed: ${stderr.slice(0, 300)}`)),
    );
    child.stdin?.end(text);
  });
}
