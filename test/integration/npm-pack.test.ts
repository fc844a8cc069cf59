/**
 * The package as npm delivers it: `npm pack` (whose prepack builds dist/), the tarball installed
 * with a plain `npm install` into a fresh folder, and its bin run from there — what `npx
 * claude-code-api` does once published. The gateway must find the CLI its own dependency
 * @anthropic-ai/claude-code installed, answer through it, and stop on SIGTERM.
 *
 * Slow by nature: the install builds better-sqlite3 (about a minute here; the npm cache that
 * `npm ci` filled serves every tarball, so nothing is downloaded when CI runs it).
 */
import { once } from "node:events";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type ClaudeTestEnvironment, createClaudeTestEnvironment } from "../support/claude-test-environment.js";
import { spawnBin, stopBins } from "../support/run-bin.js";
import { type ExitedRun, runToExit } from "../support/run-to-exit.js";

const projectDirectory = fileURLToPath(new URL("../..", import.meta.url));
const projectVersion = (JSON.parse(readFileSync(join(projectDirectory, "package.json"), "utf8")) as { version: string })
  .version;

// npm as a user's shell runs it: not with the npm_* settings of an `npm test` this may run under.
const userEnvironment = Object.fromEntries(
  Object.entries(process.env).filter(([name]) => !/^npm_/i.test(name) && !name.startsWith("CLAUDE_CODE__")),
);

interface PackedFile {
  path: string;
  mode: number;
}

let directory: string;
let installDirectory: string;
let tarball: string;
let packedFiles: PackedFile[];
let environment: ClaudeTestEnvironment | undefined;

async function npm(args: string[], cwd: string, timeoutMs: number): Promise<ExitedRun> {
  // At the lowest priority (nice execs npm: the pid stays npm's): its minute of compiling must not
  // starve the test files running beside it, some of which read streams as fast as they come.
  const run = await runToExit("nice", ["-n", "19", "npm", ...args], { cwd, env: userEnvironment, timeoutMs });
  if (run.exitCode !== 0) throw new Error(`npm ${args.join(" ")} exited with ${run.exitCode}: ${run.stderr}`);
  return run;
}

function npmInstall(into: string, extraArgs: string[] = []): Promise<ExitedRun> {
  writeFileSync(join(into, "package.json"), JSON.stringify({ private: true }));
  return npm(["install", tarball, "--prefer-offline", "--no-audit", "--no-fund", ...extraArgs], into, 600_000);
}

const installedBin = (name: string, from = installDirectory) => join(from, "node_modules", ".bin", name);

beforeAll(async () => {
  directory = mkdtempSync(join(tmpdir(), "ccapi-npm-pack-"));
  const packDirectory = join(directory, "pack");
  installDirectory = join(directory, "install");
  mkdirSync(packDirectory);
  mkdirSync(installDirectory);
  const pack = await npm(["pack", "--pack-destination", packDirectory, "--json"], projectDirectory, 180_000);
  const [packed] = JSON.parse(pack.stdout) as Array<{ filename: string; files: PackedFile[] }>;
  if (!packed) throw new Error(`npm pack reported nothing: ${pack.stdout}`);
  packedFiles = packed.files;
  tarball = join(packDirectory, packed.filename);
  await npmInstall(installDirectory);
}, 780_000);

afterAll(async () => {
  stopBins();
  await environment?.close();
  rmSync(directory, { recursive: true, force: true, maxRetries: 10, retryDelay: 100 });
});

describe("npm pack, then npm install of the tarball elsewhere", () => {
  it("packs dist, README, LICENSE and package.json, and no sources, tests, fixtures or source maps", () => {
    const paths = packedFiles.map((file) => file.path);
    expect(paths).toEqual(
      expect.arrayContaining(["LICENSE", "README.md", "package.json", "dist/cli.js", "dist/ui/page/index.html"]),
    );
    for (const path of paths) {
      if (["LICENSE", "README.md", "package.json"].includes(path)) continue;
      // The operator page's files (the build copies them): HTML, CSS, an icon, browser modules.
      expect(path).toMatch(/^dist\/.+\.js$|^dist\/ui\/page\/[a-z-]+\.(html|css|svg)$/);
      expect(path).not.toMatch(/\.test\.js$|fixtures/);
    }
    expect(readFileSync(join(installDirectory, "node_modules/claude-code-api/dist/cli.js"), "utf8")).toMatch(
      /^#!\/usr\/bin\/env node\n/,
    );
  });

  it("installs bins that answer --version with the package's version and --help with the flags", async () => {
    for (const name of ["claude-code-api", "ccapi"]) {
      const version = await runToExit(installedBin(name), ["--version"], {
        cwd: installDirectory,
        env: userEnvironment,
        timeoutMs: 30_000,
      });
      expect(version.exitCode).toBe(0);
      expect(version.stdout.trim()).toBe(projectVersion);
    }
    const help = await runToExit(installedBin("claude-code-api"), ["--help"], {
      cwd: installDirectory,
      env: userEnvironment,
      timeoutMs: 30_000,
    });
    expect(help.exitCode).toBe(0);
    for (const flag of ["--host", "--port", "--config", "--version"]) expect(help.stdout).toContain(flag);
  });

  it("serves through the CLI its own dependency installed, and exits 0 on SIGTERM", async () => {
    // npm 11 warns that the dependencies' install scripts are not covered by allowScripts, and runs
    // them: the CLI's postinstall put its native binary in place of the stub.
    const linkedClaude = join(installDirectory, "node_modules/@anthropic-ai/claude-code/bin/claude.exe");
    expect(statSync(linkedClaude).size).toBeGreaterThan(1_000_000);
    environment = await createClaudeTestEnvironment();
    const bin = spawnBin(installedBin("claude-code-api"), ["--port", "0", "--host", "127.0.0.1"], {
      cwd: environment.directory,
      env: {
        ...environment.environment,
        // Only node's own directory: no `claude` elsewhere on PATH may stand in for the bundled CLI.
        PATH: dirname(process.execPath),
        CLAUDE_CODE__DATA_DIR: environment.dataDirectory,
        CLAUDE_CODE__CLAUDE__POOL_MIN_IDLE: "1",
        LOG_LEVEL: "warn",
      },
    });
    const url = await bin.listening;

    const health = await fetch(`${url}/health`);
    expect(await health.json()).toEqual({ status: "ok" });
    const ready = await fetch(`${url}/health/ready`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toMatchObject({ status: "ready", claude: { found: true }, store: "ok" });
    const completion = await fetch(`${url}/v1/chat/completions`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ model: "sonnet", messages: [{ role: "user", content: "from the installed package" }] }),
    });
    expect(
      ((await completion.json()) as { choices: Array<{ message: { content: string } }> }).choices[0]?.message.content,
    ).toBe("ECHO: from the installed package");
    // The operator page and its modules, from the package's dist/ui/page.
    const page = await fetch(`${url}/ui`);
    expect(page.status).toBe(200);
    expect(page.headers.get("content-security-policy")).toContain("default-src 'self'");
    expect(await page.text()).toContain('<script type="module" src="ui/main.js">');
    const script = await fetch(`${url}/ui/main.js`);
    expect(script.headers.get("content-type")).toBe("text/javascript; charset=utf-8");
    expect(await script.text()).toContain("refreshStats");

    bin.child.kill("SIGTERM");
    const [code] = await once(bin.child, "exit");
    expect(code).toBe(0);
  });

  it("without install scripts, finds the CLI all the same and stops naming the command that builds SQLite", async () => {
    const bare = join(directory, "install-ignore-scripts");
    mkdirSync(bare);
    await npmInstall(bare, ["--ignore-scripts"]);
    const run = await runToExit(installedBin("claude-code-api", bare), ["--port", "0"], {
      cwd: bare,
      // A home of its own: the pool may start a CLI before the store fails.
      env: {
        PATH: dirname(process.execPath),
        HOME: bare,
        CLAUDE_CONFIG_DIR: join(bare, "claude-config"),
        CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC: "1",
        CLAUDE_CODE__DATA_DIR: join(bare, "data"),
      },
      timeoutMs: 30_000,
    });
    // The CLI is resolved first: this message means the platform package's binary was found.
    expect(run.stderr).toContain("store.url:");
    expect(run.stderr).toContain("npm rebuild better-sqlite3");
    expect(run.exitCode).toBe(2);
  }, 300_000);
});
