/**
 * Two gateway processes sharing one Redis (a real redis-server), each with its own CLI config dir
 * and workspace, serve one conversation alternately: each resumes the CLI session from the
 * transcript in the store. One of them is then killed outright between turns; nothing is lost.
 */
import { afterAll, afterEach, beforeAll, expect, it } from "vitest";
import { type ClaudeTestEnvironment, createClaudeTestEnvironment } from "../support/claude-test-environment.js";
import { runInstance, stopBins } from "../support/run-bin.js";
import { type RedisServer, startRedisServer } from "../support/start-redis-server.js";
import { lastTurnsSeen } from "../support/turns-seen.js";

let environment: ClaudeTestEnvironment;
let redis: RedisServer;
beforeAll(async () => {
  environment = await createClaudeTestEnvironment();
  redis = await startRedisServer();
});
afterEach(stopBins);
afterAll(async () => {
  await redis.close();
  await environment.close();
});

type Completion = { conversation_id: string; choices: Array<{ message: { content: string } }> };

const startInstance = (name: string) => runInstance(environment, name, redis.url);

async function complete(url: string, body: Record<string, unknown>): Promise<Completion> {
  const response = await fetch(`${url}/v1/chat/completions`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ model: "sonnet", ...body }),
  });
  expect(response.status, await response.clone().text()).toBe(200);
  return (await response.json()) as Completion;
}

it("serves one conversation alternately from two instances, and survives one being killed", async () => {
  const a = startInstance("a");
  const b = startInstance("b");
  const [urlA, urlB] = await Promise.all([a.listening, b.listening]);

  const first = await complete(urlA, { messages: [{ role: "user", content: "I play the violin." }] });
  const id = first.conversation_id;

  await complete(urlB, { conversation_id: id, messages: [{ role: "user", content: "I live by the sea." }] });
  expect(lastTurnsSeen(environment.mock)).toEqual([
    "user: I play the violin.",
    "assistant: ECHO: I play the violin.",
    "user: I live by the sea.",
  ]);

  // Back on A, recognised from the resent history: A's own process is a turn behind, so the
  // session is resumed from the store instead.
  const third = await complete(urlA, {
    messages: [
      { role: "user", content: "I play the violin." },
      { role: "assistant", content: "ECHO: I play the violin." },
      { role: "user", content: "I live by the sea." },
      { role: "assistant", content: "ECHO: I live by the sea." },
      { role: "user", content: "Summarise me." },
    ],
  });
  expect(third.conversation_id).toBe(id);
  expect(lastTurnsSeen(environment.mock)).toEqual([
    "user: I play the violin.",
    "assistant: ECHO: I play the violin.",
    "user: I live by the sea.",
    "assistant: ECHO: I live by the sea.",
    "user: Summarise me.",
  ]);

  await complete(urlB, { conversation_id: id, messages: [{ role: "user", content: "I have two dogs." }] });
  expect(lastTurnsSeen(environment.mock)).toHaveLength(7);
  b.child.kill("SIGKILL");

  await complete(urlA, { conversation_id: id, messages: [{ role: "user", content: "Everything?" }] });
  const seen = JSON.stringify(environment.mock.messageRequests().at(-1)?.body.messages);
  for (const said of ["I play the violin.", "I live by the sea.", "Summarise me.", "I have two dogs.", "Everything?"]) {
    expect(seen).toContain(said);
  }
  // End A the way an operator would, so its CLI processes are gone before the files are removed.
  const exited = new Promise((resolve) => a.child.once("exit", resolve));
  a.child.kill("SIGTERM");
  await exited;
});
