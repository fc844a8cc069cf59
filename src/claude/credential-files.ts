/**
 * Credentials handed to a CLI process on file descriptors instead of its environment. An agent's
 * process runs tools, and a file tool raced past its permission check through a symlink (measured
 * by attack, decision 0009) reads whatever the process can — its own `/proc/self/environ` included.
 * The CLI reads `CLAUDE_CODE_API_KEY_FILE_DESCRIPTOR` / `CLAUDE_CODE_OAUTH_TOKEN_FILE_DESCRIPTOR`
 * (as `/proc/self/fd/N`) once, at boot, and keeps the value in memory (measured): so each is an
 * unlinked temporary file, emptied as soon as the process has booted — nothing is left to read.
 */
import { randomBytes } from "node:crypto";
import { closeSync, fchownSync, ftruncateSync, openSync, unlinkSync, writeSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

/** The credentials the CLI can take from a descriptor: its variable, the fd variable. */
const handedOver = [
  { variable: "ANTHROPIC_API_KEY", descriptorVariable: "CLAUDE_CODE_API_KEY_FILE_DESCRIPTOR" },
  { variable: "CLAUDE_CODE_OAUTH_TOKEN", descriptorVariable: "CLAUDE_CODE_OAUTH_TOKEN_FILE_DESCRIPTOR" },
];

export interface CredentialFiles {
  /** The environment without the credentials, pointing at descriptors 3, 4, … instead. */
  environment: NodeJS.ProcessEnv;
  /** For `stdio` from index 3 on. */
  descriptors: number[];
  /** Empties and closes the files (idempotent): once the process has booted, or failed to. */
  forget(): void;
}

/** `user`: the process's own (a room's under root), who must be able to open `/proc/self/fd/N`. */
export function credentialFiles(environment: NodeJS.ProcessEnv, user?: { uid: number; gid: number }): CredentialFiles {
  const rest: NodeJS.ProcessEnv = { ...environment };
  const descriptors: number[] = [];
  for (const { variable, descriptorVariable } of handedOver) {
    const value = rest[variable];
    if (!value) continue;
    delete rest[variable];
    const path = join(tmpdir(), `ccapi-credential-${randomBytes(12).toString("hex")}`);
    const descriptor = openSync(path, "wx+", 0o600);
    unlinkSync(path);
    if (user) fchownSync(descriptor, user.uid, user.gid);
    writeSync(descriptor, value);
    rest[descriptorVariable] = String(3 + descriptors.length);
    descriptors.push(descriptor);
  }
  let forgotten = false;
  return {
    environment: rest,
    descriptors,
    forget() {
      if (forgotten) return;
      forgotten = true;
      for (const descriptor of descriptors) {
        ftruncateSync(descriptor, 0);
        closeSync(descriptor);
      }
    },
  };
}
