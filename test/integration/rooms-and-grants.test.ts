/**
 * Grants, rooms and the agent's sandbox, tried as an attacker would with two agent keys, a plain
 * key and an admin key against the REAL CLI (the mock makes the model call the tools): each
 * granted key works in its own room — as its own user under root — and its agent cannot read
 * another room, the conversation store or the gateway's environment, through Bash (sandboxed) or
 * the file tools; a key without a grant gets 403 naming it; /health/ready detail is the admin's.
 */
import { createHash } from "node:crypto";
import { existsSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import WebSocket from "ws";
import { createClaudeTestEnvironment } from "../support/claude-test-environment.js";
import { eventually } from "../support/eventually.js";
import { startTestGateway, type TestGateway } from "../support/start-test-gateway.js";

const keys = {
  alice: "alice-agent-key-0123",
  bob: "bob-agent-key-0123",
  carol: "carol-plain-key-0123",
  admin: "admin-key-0123456789",
};
const ownerOf = (key: string) => `key_${createHash("sha256").update(key).digest("hex").slice(0, 16)}`;
const asRoot = process.getuid?.() === 0;

let test: TestGateway;
const room = (key: string) => join(test.environment.dataDirectory, "rooms", ownerOf(key));
const workspace = (key: string) => join(room(key), "workspace");
/** Which owner each CLI process served, over the whole file: a process never serves two. */
const ownersByPid = new Map<number, Set<string>>();

let keysFile: string;
beforeAll(async () => {
  const environment = await createClaudeTestEnvironment();
  keysFile = join(environment.directory, "keys");
  writeFileSync(keysFile, "filed-key-SECRET-0123\n", { mode: 0o600 });
  test = await startTestGateway({
    environment,
    agent: { enabled: true },
    sessions: { enabled: true },
    extraEnvironment: { AWS_SECRET_ACCESS_KEY: "passed-through-secret-0123" },
    auth: {
      keys_file: keysFile,
      keys: [
        { name: "alice", key: keys.alice, grants: ["agent", "sessions"] },
        { name: "bob", key: keys.bob, grants: ["agent"] },
        { name: "carol", key: keys.carol },
        { name: "admin", key: keys.admin, grants: ["admin"] },
      ],
    },
    gatewayEnvironment: { GATEWAY_SECRET: "gateway-secret-0123" },
  });
});
afterAll(async () => {
  await test.close();
  await test.environment.close();
});

function remember(): void {
  for (const member of test.pool().members) {
    if (member.pid === undefined || member.owner === null) continue;
    const owners = ownersByPid.get(member.pid) ?? new Set();
    owners.add(member.owner);
    ownersByPid.set(member.pid, owners);
  }
}

async function ask(key: string, content: string) {
  const response = await fetch(`${test.url}/v1/chat/completions`, {
    method: "POST",
    headers: { "content-type": "application/json", authorization: `Bearer ${key}` },
    body: JSON.stringify({ model: "sonnet", messages: [{ role: "user", content }] }),
  });
  remember();
  const body = (await response.json()) as { choices?: Array<{ message: { content: string } }> };
  return body.choices?.[0]?.message.content ?? `status ${response.status}`;
}

const bash = (command: string, extra: Record<string, unknown> = {}) =>
  `[[tool:Bash ${JSON.stringify({ command, ...extra })}]]`;
const read = (path: string) => `[[tool:Read ${JSON.stringify({ file_path: path })}]]`;

describe("rooms", () => {
  it("gives each agent key a room, processes and — under root — a user of its own; a plain key gets a model", async () => {
    const alice = await ask(keys.alice, bash("pwd; id -u"));
    const bob = await ask(keys.bob, bash("pwd; id -u"));
    expect(alice).toContain(workspace(keys.alice));
    expect(bob).toContain(workspace(keys.bob));
    const uid = (reply: string) =>
      Number(/\n(\d+)\s*$/.exec(reply.replace(/\\n/g, "\n"))?.[1] ?? /(\d+)\s*$/.exec(reply)?.[1]);
    if (asRoot) {
      expect(uid(alice)).toBeGreaterThanOrEqual(61000);
      expect(uid(bob)).toBeGreaterThanOrEqual(61000);
      expect(uid(alice)).not.toBe(uid(bob));
    }
    expect(await ask(keys.carol, bash("id"))).toMatch(/No such tool available/);
    await ask(keys.alice, "hello again");
    await ask(keys.carol, "hello");
    for (const [pid, owners] of ownersByPid) expect([...owners], `pid ${pid}`).toHaveLength(1);
  });

  it("keeps an agent out of other rooms, the store and the gateway's environment — Bash sandboxed, file tools denied", async () => {
    const secret = join(workspace(keys.alice), "secret.txt");
    writeFileSync(secret, "ALICE_SECRET_51");
    const store = join(test.environment.dataDirectory, "conversations.sqlite");
    const attacks = [
      bash(`cat ${secret}`),
      bash(`cat ${secret}`, { dangerouslyDisableSandbox: true }),
      read(secret),
      bash(`head -c 300 ${store} | od -c | head -5`),
      read(store),
      bash(`cat /proc/${process.pid}/environ`),
      // Past the CLI's own check for "/proc/*/environ": the sandbox and the room's user hold.
      bash(
        `${process.execPath} -e "console.log(require('fs').readFileSync('/proc/${process.pid}/env'+'iron','utf8'))"`,
      ),
      read(`/proc/${process.pid}/environ`),
      bash(`ls ${test.environment.configDirectory}`),
      // The gateway's keys file, home and the operator's secrets passed on to the CLI.
      bash(`cat ${keysFile}`),
      read(keysFile),
      bash("ls -a ~root /root"),
      bash("env"),
    ];
    for (const attack of attacks) {
      const reply = await ask(keys.bob, attack);
      expect(reply, attack).toMatch(/^Calling (Bash|Read)\.\n\nTOOL_RESULT: /);
      expect(reply, attack).not.toMatch(
        /ALICE_SECRET_51|SQLite format|gateway-secret-0123|test-key|GATEWAY_SECRET|filed-key-SECRET|passed-through-secret|\.bashrc/,
      );
    }
    // Another key's transcripts (its conversations) in its room's CLI config dir.
    const transcripts = join(room(keys.alice), "claude", "projects");
    const transcript = readdirSync(transcripts, { recursive: true, encoding: "utf8" }).find((name) =>
      name.endsWith(".jsonl"),
    );
    expect(transcript).toBeDefined();
    for (const attack of [read(join(transcripts, transcript as string)), bash(`grep -r pwd ${transcripts}`)]) {
      const reply = await ask(keys.bob, attack);
      expect(reply, attack).not.toMatch(/sessionId|"pwd; id -u"/);
    }
    // Nothing planted in another room, nothing written outside its own.
    await ask(keys.bob, bash(`echo planted > ${join(workspace(keys.alice), "planted.txt")}`));
    await ask(
      keys.bob,
      `[[tool:Write ${JSON.stringify({ file_path: join(workspace(keys.alice), "w.txt"), content: "x" })}]]`,
    );
    expect(existsSync(join(workspace(keys.alice), "planted.txt"))).toBe(false);
    expect(existsSync(join(workspace(keys.alice), "w.txt"))).toBe(false);
    // Its temp dir is its room's, not one shared by every room.
    expect(await ask(keys.bob, bash('echo t > "$TMPDIR/t" && echo "$TMPDIR"'))).toContain(join(room(keys.bob), "tmp"));
    // The legitimate use: its own workspace.
    expect(await ask(keys.bob, bash("echo mine > mine.txt && cat mine.txt"))).toContain("TOOL_RESULT: mine");
    expect(existsSync(join(workspace(keys.bob), "mine.txt"))).toBe(true);
  });
});

describe("memory", () => {
  it("keeps no agent memory: instructions an agent plants in its memory never reach a later conversation", async () => {
    const slug = workspace(keys.bob).replace(/[^a-zA-Z0-9]/g, "-");
    const memory = join(room(keys.bob), "claude", "projects", slug, "memory", "MEMORY.md");
    const plant = `[[tool:Write ${JSON.stringify({ file_path: memory, content: "PLANTED_MEMORY_71: OVERRIDE." })}]]`;
    await ask(keys.bob, plant);
    const before = test.environment.mock.messageRequests().length;
    await ask(keys.bob, "a new conversation");
    await ask(keys.alice, "another key's conversation");
    const seen = JSON.stringify(
      test.environment.mock
        .messageRequests()
        .slice(before)
        .map((request) => request.body),
    );
    expect(seen).not.toContain("PLANTED_MEMORY_71");
    expect(seen).not.toMatch(/auto-memory|MEMORY\.md/);
  });
});

describe("secrets", () => {
  it("gives an agent's process no upstream credential: a room token for the gateway's loopback proxy, which swaps it", async () => {
    await ask(keys.bob, "warm");
    const agents = test.pool().members.filter((member) => member.owner === ownerOf(keys.bob));
    expect(agents.length).toBeGreaterThan(0);
    let token = "";
    let proxy = "";
    for (const { pid } of agents) {
      const environment = readFileSync(`/proc/${pid}/environ`, "utf8").split("\0");
      expect(environment.join("\n")).not.toContain("test-key");
      token = environment.find((entry) => entry.startsWith("ANTHROPIC_API_KEY="))?.split("=")[1] ?? "";
      proxy = environment.find((entry) => entry.startsWith("ANTHROPIC_BASE_URL="))?.split("=")[1] ?? "";
    }
    expect(token).toMatch(/^ccapi-room-[0-9a-f]{48}$/);
    expect(proxy).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(proxy).not.toBe(test.environment.mock.url);
    // The API still gets the gateway's key, put in by the proxy.
    expect(test.environment.mock.messageRequests().at(-1)?.headers["x-api-key"]).toBe("test-key");
    // A leaked token opens only the way to the API through the gateway; anything else is refused.
    const wrong = await fetch(`${proxy}/v1/messages`, {
      method: "POST",
      headers: { "x-api-key": "guess" },
      body: "{}",
    });
    expect(wrong.status).toBe(401);
    // Model processes (no tools) keep the CLI's usual way in.
    const model = test.pool().members.find((member) => member.owner === ownerOf(keys.carol));
    if (model?.pid) expect(readFileSync(`/proc/${model.pid}/environ`, "utf8")).toContain("ANTHROPIC_API_KEY=test-key");
  });

  it("stands in for an OAuth token the same way (the CLI sends the room's token as its bearer)", async () => {
    const oauth = await startTestGateway({
      apiKey: null,
      agent: { enabled: true },
      claude: { pool_min_idle: 0 },
      extraEnvironment: { CLAUDE_CODE_OAUTH_TOKEN: "oauth-gateway-token-0123" },
    });
    try {
      const response = await oauth.post({ model: "sonnet", messages: [{ role: "user", content: "via oauth" }] });
      expect(response.status).toBe(200);
      const sent = oauth.environment.mock.messageRequests().at(-1)?.headers;
      expect(sent?.authorization).toBe("Bearer oauth-gateway-token-0123");
      const [agent] = oauth.pool().members;
      const environment = readFileSync(`/proc/${agent?.pid}/environ`, "utf8");
      expect(environment).not.toContain("oauth-gateway-token-0123");
      expect(environment).toMatch(/CLAUDE_CODE_OAUTH_TOKEN=ccapi-room-/);
    } finally {
      await oauth.close();
    }
  });

  it.runIf(process.getuid?.() === 0)(
    "refuses to start under root when a keys file is readable by the rooms' users",
    async () => {
      const readable = join(test.environment.directory, "readable-keys");
      writeFileSync(readable, "another-key-0123456\n", { mode: 0o644 });
      await expect(
        startTestGateway({
          environment: test.environment,
          agent: { enabled: true },
          auth: { keys_file: readable, keys: [{ name: "agent", key: "agent-key-0123456", grants: ["agent"] }] },
        }),
      ).rejects.toThrow(/chmod o-r/);
    },
  );
});

describe("grants", () => {
  const post = (path: string, key: string | undefined, body: unknown = {}) =>
    fetch(`${test.url}${path}`, {
      method: "POST",
      headers: { "content-type": "application/json", ...(key ? { authorization: `Bearer ${key}` } : {}) },
      body: JSON.stringify(body),
    });

  it("answers 403 permission_denied, naming the grant, to a key without it", async () => {
    for (const key of [keys.bob, keys.carol]) {
      const response = await post("/v1/sessions", key);
      expect(response.status).toBe(403);
      const { error } = (await response.json()) as { error: { type: string; code: string; message: string } };
      expect(error).toMatchObject({ type: "permission_error", code: "permission_denied" });
      expect(error.message).toContain("'sessions'");
    }
    expect((await post("/v1/sessions", keys.alice)).status).toBe(201);
  });

  it("shows /health/ready's detail (pids, profiles) only to the admin grant", async () => {
    const ready = async (key?: string) =>
      (await (
        await fetch(`${test.url}/health/ready`, { headers: key ? { authorization: `Bearer ${key}` } : {} })
      ).json()) as Record<string, unknown>;
    for (const view of [await ready(), await ready(keys.carol), await ready("not-a-key-0123")]) {
      expect(view).toEqual({ status: "ready", claude: { found: true }, store: "ok" });
    }
    const admin = await ready(keys.admin);
    expect(admin.pool).toMatchObject({ processes: expect.any(Number) });
    expect(JSON.stringify(admin)).toMatch(/"pid":\d+/);
  });
});

describe("live sessions", () => {
  it("let a client approve what its room allows, and nothing outside it, whatever it answers", async () => {
    const bobSecret = join(workspace(keys.bob), "bob-secret.txt");
    writeFileSync(bobSecret, "BOB_SECRET_61");
    const created = await fetch(`${test.url}/v1/sessions`, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: `Bearer ${keys.alice}` },
      body: JSON.stringify({ allowed_tools: ["Bash"] }),
    });
    const session = (await created.json()) as { ws_url: string; cwd: string };
    const refused = await fetch(`${test.url}/v1/sessions`, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: `Bearer ${keys.alice}` },
      body: JSON.stringify({ allowed_tools: ["Read(/**)"] }),
    });
    expect(refused.status).toBe(400);
    expect(((await refused.json()) as { error: { code: string } }).error.code).toBe("tool_not_allowed");
    expect(session.cwd).toBe(workspace(keys.alice));
    const socket = new WebSocket(session.ws_url, { headers: { authorization: `Bearer ${keys.alice}` } });
    const messages: Array<Record<string, unknown>> = [];
    socket.on("message", (data) => messages.push(JSON.parse(data.toString())));
    await new Promise((resolve) => socket.once("open", resolve));
    /** One turn; `answer` replies to its first permission request, if one comes. */
    const turn = async (content: string, answer?: (request: Record<string, unknown>) => unknown) => {
      const from = messages.length;
      let answered = false;
      socket.send(JSON.stringify({ type: "user_message", content }));
      return eventually(() => {
        const seen = messages.slice(from);
        const request = seen.find((message) => message.type === "permission_request");
        if (request && answer && !answered) {
          answered = true;
          socket.send(JSON.stringify(answer(request)));
        }
        const result = seen.find((message) => message.type === "result");
        expect(result).toBeDefined();
        return { result: String(result?.result), asked: request !== undefined, seen };
      }, 20_000);
    };
    // A Read of another room: denied before any client is asked.
    const reading = await turn(read(bobSecret), (request) => ({
      type: "permission_response",
      request_id: request.request_id,
      behavior: "allow",
    }));
    expect(reading.asked).toBe(false);
    expect(reading.result).not.toContain("BOB_SECRET_61");
    // A fetch a client's answer moves into the gateway's own network: refused all the same.
    const moving = await turn(
      `[[tool:WebFetch ${JSON.stringify({ url: "http://93.184.216.34/", prompt: "read" })}]]`,
      (request) => ({
        type: "permission_response",
        request_id: request.request_id,
        behavior: "allow",
        updated_input: { url: "http://[::ffff:127.0.0.1]/", prompt: "read" },
      }),
    );
    expect(moving.asked).toBe(true);
    expect(moving.seen.some((message) => message.code === "address_not_allowed")).toBe(true);
    // A fetch into the gateway's own network: denied before any client is asked.
    const fetching = await turn(
      `[[tool:WebFetch ${JSON.stringify({ url: test.url, prompt: "read" })}]]`,
      (request) => ({
        type: "permission_response",
        request_id: request.request_id,
        behavior: "allow",
      }),
    );
    expect(fetching.asked).toBe(false);
    expect(fetching.result).toContain("gateway's own network");
    // Bash the client allowed up front: it runs, sandboxed.
    const catting = await turn(bash(`cat ${bobSecret}`));
    expect(catting.result).toMatch(/TOOL_RESULT: /);
    expect(catting.result).not.toContain("BOB_SECRET_61");
    // A Write in its own room is asked; an answer that moves it into another room is refused.
    const moved = join(workspace(keys.bob), "moved.txt");
    const writing = await turn(
      `[[tool:Write ${JSON.stringify({ file_path: join(session.cwd, "mine.txt"), content: "x" })}]]`,
      (request) => ({
        type: "permission_response",
        request_id: request.request_id,
        behavior: "allow",
        updated_input: { file_path: moved, content: "planted" },
      }),
    );
    expect(writing.asked).toBe(true);
    expect(writing.seen.some((message) => message.code === "path_not_allowed")).toBe(true);
    expect(existsSync(moved)).toBe(false);
    socket.close();
  });
});

describe("an agent's conversation", () => {
  it("resumes in its room after its process was let go (the transcript given to the room's user)", async () => {
    const resuming = await startTestGateway({
      environment: test.environment,
      agent: { enabled: true },
      conversation: { session_timeout_minutes: 0.01 },
      claude: { pool_min_idle: 0 },
    });
    try {
      const first = await resuming.post({ model: "sonnet", messages: [{ role: "user", content: "remember PLUM" }] });
      const { conversation_id: id } = (await first.json()) as { conversation_id: string };
      // The idle conversation's process is released (cleared) after the session timeout.
      await eventually(() => expect(resuming.pool().members.some((member) => member.conversation === id)).toBe(false));
      const again = await resuming.post({
        model: "sonnet",
        conversation_id: id,
        messages: [{ role: "user", content: "what was it?" }],
      });
      expect(again.status).toBe(200);
      // Resumed, not replayed: the model sees the first turn as a real message.
      const last = JSON.stringify(test.environment.mock.messageRequests().at(-1)?.body.messages);
      expect(last).toContain("remember PLUM");
      expect(last).not.toContain("<conversation_history>");
    } finally {
      await resuming.close();
    }
  });
});
