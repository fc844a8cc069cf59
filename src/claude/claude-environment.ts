/**
 * The environment a CLI process gets: an allow-list of the gateway's own, never all of it. The
 * gateway's environment holds its secrets (CLAUDE_CODE__AUTH__*, Redis passwords, cloud keys); an
 * agent's Bash could print them, and `/proc/<pid>/environ` shows them to the same user and root.
 *
 * Passed on: what a program needs to run (PATH, HOME, user, shell, locale, time zone, TMPDIR,
 * terminal), how it reaches the network (proxies, CA certificates), and what the CLI itself reads
 * (ANTHROPIC_*, CLAUDE_CODE_* — but never CLAUDE_CODE__*, the gateway's configuration —,
 * CLAUDE_CONFIG_DIR, IS_SANDBOX); plus the names the operator lists in claude.env_passthrough.
 */
/** What a program needs to run (and reach the network's CAs): harmless for a tool to see too. */
const basics = [
  "PATH",
  "HOME",
  "USER",
  "LOGNAME",
  "SHELL",
  "LANG",
  "LANGUAGE",
  "TZ",
  "TMPDIR",
  "TERM",
  "NODE_EXTRA_CA_CERTS",
  "SSL_CERT_FILE",
  "SSL_CERT_DIR",
  "CLAUDE_CONFIG_DIR",
  "IS_SANDBOX",
];
const proxies = ["HTTP_PROXY", "HTTPS_PROXY", "NO_PROXY", "ALL_PROXY"].flatMap((name) => [name, name.toLowerCase()]);
const exactNames = new Set([...basics, ...proxies]);
const harmlessNames = new Set(basics);

/**
 * The variables of a CLI environment its sandboxed Bash must not see: ANTHROPIC_* (keys, tokens,
 * custom headers), the CLI's token variables, and whatever the operator passed through. (Proxy
 * variables are replaced by the sandbox's own proxy inside it.)
 */
export function hiddenFromTools(environment: NodeJS.ProcessEnv): string[] {
  return Object.keys(environment).filter((name) => {
    if (harmlessNames.has(name) || name.startsWith("LC_") || /_proxy$/i.test(name)) return false;
    return !(name.startsWith("CLAUDE_CODE_") && !/TOKEN|KEY|SECRET|PASSWORD|HEADER/.test(name));
  });
}

function isPassedToClaude(name: string): boolean {
  if (exactNames.has(name) || name.startsWith("LC_") || name.startsWith("ANTHROPIC_")) return true;
  return name.startsWith("CLAUDE_CODE_") && !name.startsWith("CLAUDE_CODE__");
}

/** The CLI's environment: the allow-listed part of `source`, the operator's extras, then `fixed`. */
export function claudeEnvironment(
  source: NodeJS.ProcessEnv,
  passthrough: readonly string[],
  fixed: Record<string, string> = {},
): NodeJS.ProcessEnv {
  const environment: NodeJS.ProcessEnv = {};
  const extra = new Set(passthrough);
  for (const [name, value] of Object.entries(source)) {
    if (value !== undefined && (isPassedToClaude(name) || extra.has(name))) environment[name] = value;
  }
  return { ...environment, ...fixed };
}
