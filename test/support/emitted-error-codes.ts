/**
 * The error codes the gateway's source can emit, read from the source itself: every `code:` of a
 * GatewayError (or a WebSocket `error` message), and the code argument of the `invalidRequest` and
 * `notFound` helpers. Read as text, so a new code cannot slip past the README's tables unseen.
 */
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";

function sourceFiles(directory: string): string[] {
  return readdirSync(directory).flatMap((name) => {
    const path = join(directory, name);
    if (statSync(path).isDirectory()) return sourceFiles(path);
    return path.endsWith(".ts") && !path.endsWith(".test.ts") ? [path] : [];
  });
}

/** The top-level arguments of the call whose `(` is at `open`. */
function callArguments(text: string, open: number): string[] {
  const args: string[] = [];
  let depth = 0;
  let current = "";
  let quote = "";
  for (let index = open; index < text.length; index++) {
    const char = text[index] as string;
    if (quote) {
      current += char;
      if (char === "\\") current += text[++index];
      else if (char === quote) quote = "";
      continue;
    }
    if (char === '"' || char === "'" || char === "`") quote = char;
    else if (char === "(" && ++depth === 1) continue;
    else if (char === ")" && --depth === 0) return [...args, current.trim()];
    else if (char === "," && depth === 1) {
      args.push(current.trim());
      current = "";
      continue;
    }
    current += char;
  }
  return args;
}

const codeLiteral = /"([a-z][a-z0-9_]*)"/g;

export function emittedErrorCodes(sourceDirectory: string): Set<string> {
  const codes = new Set<string>();
  for (const file of sourceFiles(sourceDirectory)) {
    const text = readFileSync(file, "utf8");
    for (const match of text.matchAll(/\bcode:\s*([^,}\n]+)/g)) {
      for (const literal of (match[1] ?? "").matchAll(codeLiteral)) codes.add(literal[1] as string);
    }
    for (const match of text.matchAll(/\b(invalidRequest|notFound)\(/g)) {
      // invalidRequest(message, param, code); notFound(message, code, param)
      const args = callArguments(text, (match.index ?? 0) + match[0].length - 1);
      const code = /^"([a-z][a-z0-9_]*)"$/.exec(args[match[1] === "invalidRequest" ? 2 : 1] ?? "")?.[1];
      if (code) codes.add(code);
    }
  }
  return codes;
}
