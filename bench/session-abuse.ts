/**
 * `npx tsx bench/session-abuse.ts`: the two live-session attacks of issue 11, measured against the
 * real CLI and the mock API, so the bounds can be compared before and after.
 *   - turns: a key limited to 2 requests per minute sends 30 `user_message`s over one WebSocket;
 *     how many turns reach the model, and whether DELETE of the session still answers.
 *   - replay: a session's history grown by long answers, then many late watchers; the bytes they
 *     receive between them.
 * SESSION_ABUSE_TURNS, _WORDS and _WATCHERS scale the replay attack.
 */
import { once } from "node:events";
import WebSocket from "ws";
import { configurationSchema } from "../src/config/configuration-schema.js";
import { silentLogger } from "../src/observability/logger.js";
import { startGateway } from "../src/start-gateway.js";
import { createClaudeTestEnvironment } from "../test/support/claude-test-environment.js";

const key = "attacker-key-0123456789";
const turns = Number(process.env.SESSION_ABUSE_TURNS ?? 6);
const words = Number(process.env.SESSION_ABUSE_WORDS ?? 100_000);
const watchers = Number(process.env.SESSION_ABUSE_WATCHERS ?? 50);

type Message = { type: string; [field: string]: unknown };

async function gatewayWith(limits: Record<string, unknown>) {
  const environment = await createClaudeTestEnvironment();
  const configuration = configurationSchema.parse({
    data_dir: environment.dataDirectory,
    server: { port: 0 },
    claude: { command: environment.claudeCommand, pool_min_idle: 0 },
    auth: { keys: [{ name: "attacker", key, grants: ["sessions"] }], ...limits },
    sessions: { enabled: true },
  });
  const gateway = await startGateway({ configuration, environment: environment.environment, logger: silentLogger() });
  const call = (path: string, method = "GET") =>
    fetch(`${gateway.url}${path}`, { method, headers: { authorization: `Bearer ${key}` } });
  const created = (await (await call("/v1/sessions", "POST")).json()) as { id: string; ws_url: string };
  return {
    environment,
    session: created,
    call,
    async close() {
      await gateway.close();
      await environment.close();
    },
  };
}

/** A client that counts the bytes it receives and can wait for a message. */
async function watch(url: string) {
  const socket = new WebSocket(url, { headers: { authorization: `Bearer ${key}` } });
  const messages: Message[] = [];
  let bytes = 0;
  const waiting: Array<{ test: (message: Message) => boolean; resolve: (message: Message) => void }> = [];
  socket.on("message", (data: Buffer) => {
    bytes += data.length;
    const message = JSON.parse(data.toString()) as Message;
    messages.push(message);
    for (const waiter of waiting.filter((candidate) => candidate.test(message))) {
      waiting.splice(waiting.indexOf(waiter), 1);
      waiter.resolve(message);
    }
  });
  const opened = await Promise.race([
    once(socket, "open").then(() => true),
    once(socket, "unexpected-response").then(() => false),
  ]);
  return {
    opened,
    messages,
    bytes: () => bytes,
    send: (message: unknown) => socket.send(JSON.stringify(message)),
    next: (test: (message: Message) => boolean) => new Promise<Message>((resolve) => waiting.push({ test, resolve })),
    close: () => socket.terminate(),
  };
}

async function measureTurns() {
  const attack = await gatewayWith({ requests_per_minute: 2 });
  try {
    const client = await watch(attack.session.ws_url);
    const before = attack.environment.mock.messageRequests().length;
    const started = performance.now();
    let refused = 0;
    for (let index = 0; index < 30; index++) {
      const answer = client.next((message) => message.type === "result" || message.type === "error");
      client.send({ type: "user_message", content: `message ${index}` });
      if ((await answer).type === "error") refused++;
    }
    const seconds = (performance.now() - started) / 1000;
    const reached = attack.environment.mock.messageRequests().length - before;
    // Whatever the turns used up, the key's HTTP budget is spent now.
    let listed = 0;
    while (listed !== 429) listed = (await attack.call("/v1/sessions")).status;
    const deleted = await attack.call(`/v1/sessions/${attack.session.id}`, "DELETE");
    console.log(
      `turns: 30 user_messages with requests_per_minute = 2 in ${seconds.toFixed(1)} s: ${reached} reached the model, ${refused} refused; DELETE of the session while limited: ${deleted.status}`,
    );
    client.close();
  } finally {
    await attack.close();
  }
}

async function measureReplay() {
  const attack = await gatewayWith({});
  try {
    const driver = await watch(attack.session.ws_url);
    for (let index = 0; index < turns; index++) {
      const result = driver.next((message) => message.type === "result");
      driver.send({ type: "user_message", content: `[[words:${words}]]` });
      await result;
    }
    driver.close();
    const clients = [];
    let refused = 0;
    for (let index = 0; index < watchers; index++) {
      const client = await watch(attack.session.ws_url);
      if (!client.opened) refused++;
      else {
        // The history is sent on joining, before the answer to anything the client sends.
        const answered = client.next((message) => message.type === "error" && message.code === "invalid_message");
        client.send({ type: "end of history?" });
        await answered;
        clients.push(client);
      }
    }
    const total = clients.reduce((sum, client) => sum + client.bytes(), 0);
    const largest = Math.max(...clients.map((client) => client.bytes()));
    console.log(
      `replay: ${turns} turns of ${words} words, then ${watchers} late watchers: ${clients.length} joined, ${refused} refused; ${(total / 1e6).toFixed(1)} MB sent in all, at most ${(largest / 1e6).toFixed(2)} MB to one`,
    );
    for (const client of clients) client.close();
  } finally {
    await attack.close();
  }
}

await measureTurns();
await measureReplay();
