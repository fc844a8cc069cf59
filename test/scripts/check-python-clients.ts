/**
 * `npm run check:python`: the README's Python examples, run as written (with the gateway's URL)
 * by the real `openai` and `anthropic` packages from pip, against a gateway on the mock Anthropic
 * API. A scripted check rather than a test: it needs Python and a pip index, which a test machine
 * may not have. Each example block must print, and exit 0.
 *
 * A virtualenv under the temp dir (or CHECK_PYTHON_VENV's); `PIP_INDEX_URL` etc. from the
 * environment decide where pip looks (this project's machines have a local index).
 */
import { execFile, execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { startTestGateway } from "../support/start-test-gateway.js";

const readme = readFileSync(new URL("../../README.md", import.meta.url), "utf8");
/** The README's Python blocks, each with what came before it in its section (they share a client). */
const blocks = [...readme.matchAll(/```python\n([\s\S]*?)```/g)].map((match) => match[1] as string);

const directory = mkdtempSync(join(tmpdir(), "ccapi-python-"));
const test = await startTestGateway();
let failed = 0;
try {
  // CHECK_PYTHON_VENV: a virtualenv that already has both packages (pip can take minutes).
  const venv = process.env.CHECK_PYTHON_VENV ?? join(directory, "venv");
  const python = join(venv, "bin", "python");
  if (!process.env.CHECK_PYTHON_VENV) {
    execFileSync("python3", ["-m", "venv", venv], { stdio: "inherit" });
    execFileSync(python, ["-m", "pip", "install", "--quiet", "openai", "anthropic"], { stdio: "inherit" });
  }
  const versions = execFileSync(python, [
    "-c",
    "import openai, anthropic; print(openai.__version__, anthropic.__version__)",
  ]);
  console.log(`openai, anthropic: ${versions.toString().trim()}`);
  // A block that uses `client` without making one continues the block before it.
  let previous = "";
  for (const [index, block] of blocks.entries()) {
    const code = (block.includes("= OpenAI(") || block.includes("anthropic.Anthropic(") ? "" : previous) + block;
    previous = code;
    const script = join(directory, `example-${index}.py`);
    writeFileSync(script, code.replaceAll("http://127.0.0.1:8080", test.url));
    try {
      // Not execFileSync: the gateway answering it runs in this process's event loop.
      const { stdout: output } = await promisify(execFile)(python, [script], { encoding: "utf8", timeout: 60_000 });
      console.log(
        `README python block ${index + 1}: ok${output.trim() ? ` — ${output.trim().split("\n").at(-1)}` : ""}`,
      );
    } catch (error) {
      failed++;
      const { stderr, stdout } = error as { stderr?: string; stdout?: string };
      console.error(`README python block ${index + 1}: FAILED (${String(error)})\n${stdout ?? ""}${stderr ?? ""}`);
    }
  }
} finally {
  await test.close();
  rmSync(directory, { recursive: true, force: true });
}
console.log(`${blocks.length - failed} passed, ${failed} failed`);
process.exitCode = failed > 0 ? 1 : 0;
