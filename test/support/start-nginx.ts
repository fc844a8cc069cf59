/**
 * Debian's nginx, started by a test or the bench: a site config (deploy/nginx.conf rendered by
 * nginx-site.ts) inside a minimal main config that keeps the pid file, logs and temp files in a
 * temp dir of its own. Not a daemon, so it is this process's child, ended by its own pid. Without
 * nginx the test fails, naming the package: a deployment test never skips. No vitest here: the
 * bench runs outside it.
 */
import { type ChildProcess, execFileSync, spawn } from "node:child_process";
import { once } from "node:events";
import { existsSync, mkdtempSync, readFileSync, rmSync, watch, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";

export interface RunningNginx {
  directory: string;
  /** A self-signed certificate for `localhost` and 127.0.0.1 (PEM), for the site's ssl_certificate. */
  certificate: { certificateFile: string; keyFile: string; pem: string };
  errorLog(): string;
  close(): Promise<void>;
}

/** nginx lives in /usr/sbin, which an unprivileged user's PATH may lack. */
const nginx = existsSync("/usr/sbin/nginx") ? "/usr/sbin/nginx" : "nginx";

export function requireNginx(): void {
  for (const [command, flag] of [
    [nginx, "-v"],
    ["openssl", "version"],
  ] as const) {
    try {
      execFileSync(command, [flag], { stdio: "ignore" });
    } catch {
      throw new Error(
        `${command} is not installed: the deployment test runs the gateway behind a real nginx with TLS ` +
          "(apt-get install -y --no-install-recommends nginx openssl; .ci/run installs them)",
      );
    }
  }
}

/** A port free right now (nginx binds it moments later). */
export async function freePort(): Promise<number> {
  const server = createServer().listen(0, "127.0.0.1");
  await once(server, "listening");
  const { port } = server.address() as { port: number };
  server.close();
  await once(server, "close");
  return port;
}

/** Prepares the temp dir and certificate; `start` then runs nginx with the site config it is given. */
export function prepareNginx(): { directory: string; certificate: RunningNginx["certificate"] } {
  requireNginx();
  const directory = mkdtempSync(join(tmpdir(), "ccapi-nginx-"));
  const certificateFile = join(directory, "localhost.crt");
  const keyFile = join(directory, "localhost.key");
  execFileSync(
    "openssl",
    [
      ...["req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-days", "1"],
      ...["-subj", "/CN=localhost", "-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1"],
      ...["-keyout", keyFile, "-out", certificateFile],
    ],
    { stdio: "ignore" },
  );
  return { directory, certificate: { certificateFile, keyFile, pem: readFileSync(certificateFile, "utf8") } };
}

export async function startNginx(prepared: ReturnType<typeof prepareNginx>, siteConfig: string): Promise<RunningNginx> {
  const { directory } = prepared;
  writeFileSync(join(directory, "site.conf"), siteConfig);
  const temp = (name: string) => `${name}_temp_path ${join(directory, name)};`;
  writeFileSync(
    join(directory, "nginx.conf"),
    [
      // As root the workers would switch to nobody, who cannot read this dir; as anyone else
      // nginx warns that `user` means nothing and carries on.
      process.getuid?.() === 0 ? "user root;" : "",
      "worker_processes 1;",
      `pid ${join(directory, "nginx.pid")};`,
      `error_log ${join(directory, "error.log")} notice;`,
      "events { worker_connections 256; }",
      "http {",
      `  access_log ${join(directory, "access.log")};`,
      `  ${temp("client_body")} ${temp("proxy")} ${temp("fastcgi")} ${temp("uwsgi")} ${temp("scgi")}`,
      `  include ${join(directory, "site.conf")};`,
      "}",
      "",
    ].join("\n"),
  );
  // -e: the error log before the config is read (else the packaged /var/log/nginx/error.log).
  const args = ["-e", join(directory, "error.log"), "-p", directory, "-c", join(directory, "nginx.conf")];
  const errorLog = () =>
    existsSync(join(directory, "error.log")) ? readFileSync(join(directory, "error.log"), "utf8") : "";
  try {
    execFileSync(nginx, [...args, "-t", "-q"], { stdio: "pipe" });
  } catch (error) {
    rmSync(directory, { recursive: true, force: true });
    throw new Error(`nginx rejects the configuration:\n${String((error as { stderr?: Buffer }).stderr ?? error)}`);
  }
  // nginx writes its pid file once its sockets are bound: watched from before it starts.
  const pidWatcher = watch(directory);
  const child: ChildProcess = spawn(nginx, [...args, "-g", "daemon off;"], { stdio: ["ignore", "ignore", "pipe"] });
  let stderr = "";
  child.stderr?.on("data", (chunk) => {
    stderr += chunk;
  });
  const exited = once(child, "exit");
  try {
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`nginx wrote no pid file in 10 s: ${stderr}${errorLog()}`)),
        10_000,
      );
      pidWatcher.on("change", (_, name) => {
        if (name === "nginx.pid" && existsSync(join(directory, "nginx.pid"))) {
          clearTimeout(timer);
          resolve();
        }
      });
      child.once("exit", (code) => {
        clearTimeout(timer);
        reject(new Error(`nginx exited ${code}: ${stderr}${errorLog()}`));
      });
    });
  } catch (error) {
    if (child.exitCode === null && child.pid !== undefined) process.kill(child.pid, "SIGTERM");
    await exited;
    rmSync(directory, { recursive: true, force: true });
    throw error;
  } finally {
    pidWatcher.close();
  }
  return {
    directory,
    certificate: prepared.certificate,
    errorLog,
    async close() {
      const pid = child.pid;
      // SIGTERM: nginx's fast shutdown; its workers end with the master.
      if (child.exitCode === null && child.signalCode === null && pid !== undefined && pid > 0)
        process.kill(pid, "SIGTERM");
      await exited;
      rmSync(directory, { recursive: true, force: true });
    },
  };
}
