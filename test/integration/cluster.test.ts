/**
 * One service from three instances: a real redis-server, three gateway processes sharing it, and a
 * real nginx (deploy/nginx.conf, round robin, TLS) in front — every request through nginx only.
 * A conversation alternates instances; a client tool's results and a live session's WebSocket and
 * permission answers land on other instances than the ones holding them, and are sent there; a
 * key's requests_per_minute holds across all three; an instance that did not answer first serves
 * a cache hit; one instance is SIGKILLed mid-run and another drained, and nothing is lost.
 */

import { createHash } from "node:crypto";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type ClaudeTestEnvironment, createClaudeTestEnvironment } from "../support/claude-test-environment.js";
import { descendants } from "../support/descendants.js";
import { eventually } from "../support/eventually.js";
import { isRunning } from "../support/is-running.js";
import { nginxSite } from "../support/nginx-site.js";
import { type Received, requestOverTls } from "../support/request-over-tls.js";
import { type RunningBin, runInstance, stopBins } from "../support/run-bin.js";
import { connectSession, refusedUpgrade } from "../support/session-client.js";
import { freePort, prepareNginx, type RunningNginx, startNginx } from "../support/start-nginx.js";
import { type RedisServer, startRedisServer } from "../support/start-redis-server.js";
import { lastTurnsSeen } from "../support/turns-seen.js";

const key = "cluster-key-0001";
const limitedKey = "cluster-limited-0001";
const perMinute = 4;

let environment: ClaudeTestEnvironment;
let redis: RedisServer;
let nginx: RunningNginx;
let tlsPort = 0;
const instances: Array<{ bin: RunningBin; url: string }> = [];

function startInstance(name: string): RunningBin {
  return runInstance(environment, name, redis.url, {
    CLAUDE_CODE__SESSIONS__ENABLED: "true",
    CLAUDE_CODE__CACHE__ENABLED: "true",
    CLAUDE_CODE__SERVER__TRUSTED_PROXIES: '["127.0.0.1"]',
    CLAUDE_CODE__SERVER__ALLOWED_HOSTS: '["localhost", "127.0.0.1"]',
    CLAUDE_CODE__SERVER__SHUTDOWN_GRACE_SECONDS: "2",
    CLAUDE_CODE__AUTH__KEYS: JSON.stringify([
      { name: "user", key, grants: ["sessions"], max_processes: 8 },
      { name: "limited", key: limitedKey, requests_per_minute: perMinute },
    ]),
  });
}

beforeAll(async () => {
  // First: without nginx (or openssl) this fails with the package to install.
  const prepared = prepareNginx();
  environment = await createClaudeTestEnvironment();
  redis = await startRedisServer();
  for (const name of ["a", "b", "c"]) instances.push({ bin: startInstance(name), url: "" });
  const urls = await Promise.all(instances.map((instance) => instance.bin.listening));
  urls.forEach((url, index) => {
    (instances[index] as { url: string }).url = url;
  });
  tlsPort = await freePort();
  const site = nginxSite({
    gatewayPorts: urls.map((url) => Number(new URL(url).port)),
    tlsPort,
    httpPort: await freePort(),
    certificate: prepared.certificate,
  });
  nginx = await startNginx(prepared, site);
}, 120_000);

afterAll(async () => {
  await nginx?.close();
  // Gracefully, so their CLI processes end before the directories go.
  await Promise.all(instances.map(({ bin }) => stopGracefully(bin)));
  stopBins();
  await redis?.close();
  await environment?.close();
});

function viaNginx(method: string, path: string, body?: unknown, as = key): Promise<Received> {
  return requestOverTls({ port: tlsPort, ca: nginx.certificate.pem }, method, path, {
    body,
    headers: { authorization: `Bearer ${as}` },
  });
}

const answeredBy = (received: Received) => received.headers["x-gateway-instance"] as string;

type Completion = {
  conversation_id: string;
  choices: Array<{ finish_reason: string; message: { content: string | null; tool_calls?: ToolCall[] } }>;
};
type ToolCall = { id: string; type: "function"; function: { name: string; arguments: string } };

async function complete(body: Record<string, unknown>, as = key): Promise<{ completion: Completion; by: string }> {
  const received = await viaNginx("POST", "/v1/chat/completions", { model: "sonnet", ...body }, as);
  expect(received.status, received.body).toBe(200);
  return { completion: JSON.parse(received.body) as Completion, by: answeredBy(received) };
}

/** Everything the instances still running sent on to another, by what and outcome. */
async function forwardedCounts(): Promise<Record<string, number>> {
  const counts: Record<string, number> = {};
  for (const { bin, url } of instances) {
    if (bin.child.exitCode !== null || bin.child.signalCode !== null) continue;
    const text = await (await fetch(`${url}/metrics`, { headers: { authorization: `Bearer ${key}` } })).text();
    for (const [, what, outcome, value] of text.matchAll(
      /^ccapi_forwarded_total\{what="(\w+)",outcome="(\w+)"[^}]*\} (\d+)$/gm,
    )) {
      counts[`${what}:${outcome}`] = (counts[`${what}:${outcome}`] ?? 0) + Number(value);
    }
  }
  return counts;
}

const weather = {
  type: "function",
  function: { name: "get_weather", parameters: { type: "object", properties: { city: { type: "string" } } } },
};
const callWeather = (city: string) => `[[tool:mcp__client__get_weather ${JSON.stringify({ city })}]]`;

describe("three instances behind nginx", () => {
  it("serves one conversation from every instance in turn, each resuming it from the store", async () => {
    const first = await complete({ messages: [{ role: "user", content: "I play the violin." }] });
    const id = first.completion.conversation_id;
    const by = [first.by];
    for (const line of ["I live by the sea.", "I keep bees."]) {
      const next = await complete({ conversation_id: id, messages: [{ role: "user", content: line }] });
      expect(next.completion.conversation_id).toBe(id);
      by.push(next.by);
    }
    expect(new Set(by).size).toBe(3);
    expect(lastTurnsSeen(environment.mock)).toEqual([
      "user: I play the violin.",
      "assistant: ECHO: I play the violin.",
      "user: I live by the sea.",
      "assistant: ECHO: I live by the sea.",
      "user: I keep bees.",
    ]);
  });

  it("sends a client tool's results, landing on another instance, to the one whose turn waits", async () => {
    const before = (await forwardedCounts())["request:sent"] ?? 0;
    const question = { role: "user", content: callWeather("Paris") };
    const asked = await complete({ messages: [question], tools: [weather] });
    const choice = asked.completion.choices[0];
    expect(choice?.finish_reason).toBe("tool_calls");
    const call = choice?.message.tool_calls?.[0] as ToolCall;
    // Round robin: the results go in through the next instance, and are answered by the waiting one,
    // streamed through both.
    const streamed = await viaNginx("POST", "/v1/chat/completions", {
      model: "sonnet",
      stream: true,
      tools: [weather],
      messages: [question, choice?.message, { role: "tool", tool_call_id: call.id, content: "Sunny, 24 °C" }],
    });
    expect(streamed.status, streamed.body).toBe(200);
    expect(streamed.headers["content-type"]).toBe("text/event-stream; charset=utf-8");
    expect(answeredBy(streamed)).toBe(asked.by);
    const chunks = streamed.body.split("\n\n").filter((event) => event.startsWith("data: {"));
    const text = chunks
      .map((event) => JSON.parse(event.slice(6)) as { choices: Array<{ delta: { content?: string } }> })
      .map((chunk) => chunk.choices[0]?.delta.content ?? "")
      .join("");
    expect(text).toBe("TOOL_RESULT: Sunny, 24 °C");
    expect(streamed.body.trimEnd().endsWith("data: [DONE]")).toBe(true);
    expect((await forwardedCounts())["request:sent"]).toBe(before + 1);
  });

  it("streams a live session over WebSockets joined through other instances, and takes their permission answers", async () => {
    const created = await viaNginx("POST", "/v1/sessions", {});
    expect(created.status, created.body).toBe(201);
    const session = JSON.parse(created.body) as { id: string; ws_url: string; cwd: string };
    expect(session.ws_url).toBe(`wss://localhost:${tlsPort}/ws/session/${session.id}`);
    const before = (await forwardedCounts())["websocket:sent"] ?? 0;
    // Three joins in a row: round robin takes them to three instances, two of which send them on.
    const clients = [];
    for (let index = 0; index < 3; index++) {
      clients.push(
        await connectSession(session.ws_url, { authorization: `Bearer ${key}` }, { ca: nginx.certificate.pem }),
      );
    }
    expect((await forwardedCounts())["websocket:sent"]).toBe(before + 2);
    // Every instance knows the session: described, listed.
    for (let index = 0; index < 3; index++) {
      const described = await viaNginx("GET", `/v1/sessions/${session.id}`);
      expect(described.status, described.body).toBe(200);
      expect(JSON.parse(described.body)).toMatchObject({ id: session.id, clients: 3 });
      const listed = JSON.parse((await viaNginx("GET", "/v1/sessions")).body) as { data: Array<{ id: string }> };
      expect(listed.data.map((entry) => entry.id)).toEqual([session.id]);
    }
    // A client on another instance than the session's drives a turn and answers its permission question.
    const [, second, third] = clients as [unknown, (typeof clients)[0], (typeof clients)[0]];
    const file = join(session.cwd, "denied.txt");
    second.send({
      type: "user_message",
      content: `[[tool:Write ${JSON.stringify({ file_path: file, content: "x" })}]]`,
    });
    const ask = await third.waitFor((message) => message.type === "permission_request");
    third.send({ type: "permission_response", request_id: ask.request_id, behavior: "deny", message: "not here" });
    const result = await second.waitFor((message) => message.type === "result");
    expect(result.subtype).toBe("success");
    expect(third.messages.some((message) => message.type === "result")).toBe(true);
    // Ended from whichever instance DELETE reaches; its clients are told and closed.
    const deleted = await viaNginx("DELETE", `/v1/sessions/${session.id}`);
    expect(deleted.status, deleted.body).toBe(200);
    for (const client of clients) await eventually(() => expect(client.socket.readyState).toBe(client.socket.CLOSED));
    expect((await viaNginx("GET", `/v1/sessions/${session.id}`)).status).toBe(404);
  });

  it("refuses a made-up internal credential, over HTTP and WebSocket, whatever else the request carries", async () => {
    // For a real owner (the key's id), in the header's very shape: only the secret is missing.
    const owner = `key_${createHash("sha256").update(key).digest("hex").slice(0, 16)}`;
    const forged = {
      "x-ccapi-forwarded": `inst_0000000000000001.${Date.now()}.${"0".repeat(24)}.${"0".repeat(64)}`,
      "x-ccapi-owner": owner,
    };
    for (const headers of [forged, { ...forged, authorization: `Bearer ${key}` }]) {
      const received = await requestOverTls({ port: tlsPort, ca: nginx.certificate.pem }, "GET", "/v1/sessions", {
        headers,
      });
      expect(received.status).toBe(401);
      expect(JSON.parse(received.body).error.code).toBe("invalid_internal_credential");
    }
    const refused = await refusedUpgrade(
      `wss://localhost:${tlsPort}/ws/session/sess_x`,
      {
        ...forged,
        authorization: `Bearer ${key}`,
      },
      { ca: nginx.certificate.pem },
    );
    expect(refused.status).toBe(401);
  });

  it("holds a key's requests_per_minute across all three instances", async () => {
    const statuses: number[] = [];
    for (let index = 0; index < perMinute + 3; index++) {
      statuses.push((await viaNginx("GET", "/v1/models", undefined, limitedKey)).status);
    }
    expect(statuses.filter((status) => status === 200)).toHaveLength(perMinute);
    expect(statuses.slice(perMinute)).toEqual([429, 429, 429]);
  });

  it("answers from the cache on an instance that did not answer the first time", async () => {
    const body = { model: "sonnet", store: false, messages: [{ role: "user", content: "cache me across instances" }] };
    const first = await viaNginx("POST", "/v1/chat/completions", body);
    expect(first.headers["x-cache"]).toBe("miss");
    const second = await viaNginx("POST", "/v1/chat/completions", body);
    expect(second.status).toBe(200);
    expect(second.headers["x-cache"]).toBe("hit");
    expect(answeredBy(second)).not.toBe(answeredBy(first));
    const content = (received: Received) => (JSON.parse(received.body) as Completion).choices[0]?.message.content;
    expect(content(second)).toBe(content(first));
  });

  it("keeps serving when an instance is SIGKILLed mid-run, and loses no conversation", async () => {
    // On one instance: an Anthropic client's tool turn, and a conversation's second turn, waiting.
    const messagesTool = { name: "mcp__client__get_weather", input_schema: weather.function.parameters };
    const anthropicQuestion = { role: "user", content: callWeather("Bergen") };
    const anthropicAsked = await viaMessages({
      max_tokens: 100,
      tools: [{ ...messagesTool, name: "get_weather" }],
      messages: [anthropicQuestion],
    });
    expect(anthropicAsked.status, anthropicAsked.body).toBe(200);
    const victim = answeredBy(anthropicAsked);
    const toolUse = (JSON.parse(anthropicAsked.body) as { content: Array<{ type: string; id: string }> }).content.find(
      (block) => block.type === "tool_use",
    );
    expect(toolUse).toBeDefined();
    const kept = await complete({ messages: [{ role: "user", content: "Remember the lighthouse." }] });
    const id = kept.completion.conversation_id;
    const question = { role: "user", content: callWeather("Oslo") };
    const asked = await onInstance(victim, () =>
      complete({ conversation_id: id, messages: [question], tools: [weather] }),
    );

    // Killed without warning.
    const holder = await instanceWithId(victim);
    const pid = holder.bin.child.pid;
    if (pid === undefined || pid <= 0) throw new Error("no pid");
    const itsProcesses = descendants(pid);
    expect(itsProcesses.length).toBeGreaterThan(0);
    process.kill(pid, "SIGKILL");
    await eventually(() => expect(holder.bin.child.signalCode).toBe("SIGKILL"));
    // Its CLI processes do not outlive it: their stdin closed with it.
    await eventually(() => expect(itsProcesses.filter(isRunning)).toEqual([]), 15_000);

    // A new message first: the conversation goes on at once from its last answer, elsewhere (the
    // lock its waiting turn held is taken over, not waited out).
    const next = await complete({
      conversation_id: id,
      messages: [{ role: "user", content: "Never mind the weather." }],
    });
    expect(next.by).not.toBe(victim);
    expect(lastTurnsSeen(environment.mock)).toEqual([
      "user: Remember the lighthouse.",
      "assistant: ECHO: Remember the lighthouse.",
      "user: Never mind the weather.",
    ]);
    // The Anthropic client's results start a new turn from its history, as after a restart.
    const anthropicAnswered = await viaMessages({
      max_tokens: 100,
      tools: [{ ...messagesTool, name: "get_weather" }],
      messages: [
        anthropicQuestion,
        { role: "assistant", content: [toolUse] },
        { role: "user", content: [{ type: "tool_result", tool_use_id: toolUse?.id, content: "Rain" }] },
      ],
    });
    expect(anthropicAnswered.status, anthropicAnswered.body).toBe(200);
    expect(answeredBy(anthropicAnswered)).not.toBe(victim);
    // The chat client's late results: its turn is gone, and it is told so, with what to do.
    const choice = asked.completion.choices[0];
    const call = choice?.message.tool_calls?.[0] as ToolCall;
    const late = await viaNginx("POST", "/v1/chat/completions", {
      model: "sonnet",
      tools: [weather],
      messages: [choice?.message, { role: "tool", tool_call_id: call.id, content: "Rain" }],
    });
    expect(late.status, late.body).toBe(410);
    expect(JSON.parse(late.body).error.code).toBe("tool_turn_gone");
    // Everything else goes on from the other two.
    for (let index = 0; index < 4; index++) {
      const more = await complete({ conversation_id: id, messages: [{ role: "user", content: `And now ${index}?` }] });
      expect(more.by).not.toBe(victim);
    }
  });

  it("drains an instance on SIGTERM: its waiting turn is told gone, its conversations continue elsewhere", async () => {
    const running = instances.filter(({ bin }) => bin.child.exitCode === null && bin.child.signalCode === null);
    expect(running).toHaveLength(2);
    const question = { role: "user", content: callWeather("Rome") };
    const asked = await complete({ messages: [question], tools: [weather] });
    const leaving = await instanceWithId(asked.by);
    const started = await onInstance(asked.by, () =>
      complete({ messages: [{ role: "user", content: "Remember the harbour." }] }),
    );
    const pid = leaving.bin.child.pid;
    if (pid === undefined || pid <= 0) throw new Error("no pid");
    process.kill(pid, "SIGTERM");
    await eventually(() => expect(leaving.bin.child.exitCode).toBe(0), 20_000);
    // It ended its waiting turn as it left, and said so: the results are told gone, not unknown.
    const choice = asked.completion.choices[0];
    const call = choice?.message.tool_calls?.[0] as ToolCall;
    const late = await viaNginx("POST", "/v1/chat/completions", {
      model: "sonnet",
      tools: [weather],
      messages: [question, choice?.message, { role: "tool", tool_call_id: call.id, content: "Warm" }],
    });
    expect(late.status, late.body).toBe(410);
    // It handed its conversation over: the session resumes from the transcript it saved.
    const next = await complete({
      conversation_id: started.completion.conversation_id,
      messages: [{ role: "user", content: "Where was I?" }],
    });
    expect(next.by).not.toBe(started.by);
    expect(lastTurnsSeen(environment.mock)).toEqual([
      "user: Remember the harbour.",
      "assistant: ECHO: Remember the harbour.",
      "user: Where was I?",
    ]);
  });
});

/** An Anthropic Messages request through nginx. */
function viaMessages(body: Record<string, unknown>): Promise<Received> {
  return requestOverTls({ port: tlsPort, ca: nginx.certificate.pem }, "POST", "/v1/messages", {
    body: { model: "sonnet", ...body },
    headers: { "x-api-key": key, "anthropic-version": "2023-06-01" },
  });
}

/** `send`'s answer from `instance`: round robin turned to it first, tried again if nginx went elsewhere. */
async function onInstance<T extends { by: string }>(instance: string, send: () => Promise<T>): Promise<T> {
  for (let tries = 0; tries < 4; tries++) {
    await nextRequestOn(instance);
    const answered = await send();
    if (answered.by === instance) return answered;
  }
  throw new Error(`no request reached ${instance}`);
}

/**
 * Turns nginx's round robin until the next request goes to `instance`: cheap requests, until the
 * one answered is the instance before it in the rotation (learnt from three in a row).
 */
async function nextRequestOn(instance: string): Promise<void> {
  const models = async () => answeredBy(await viaNginx("GET", "/v1/models"));
  const rotation = [await models(), await models(), await models()];
  const running = new Set(rotation);
  const order = rotation.slice(0, running.size);
  const before = order[(order.indexOf(instance) + order.length - 1) % order.length];
  expect(order).toContain(instance);
  for (let tries = 0; tries < 6; tries++) if ((await models()) === before) return;
  throw new Error("the rotation did not come round");
}

async function stopGracefully(bin: RunningBin): Promise<void> {
  const { child } = bin;
  if (child.exitCode !== null || child.signalCode !== null || child.pid === undefined || child.pid <= 0) return;
  const exited = new Promise((resolve) => child.once("exit", resolve));
  process.kill(child.pid, "SIGTERM");
  await exited;
}

/** The running instance with that id (from its /stats). */
async function instanceWithId(id: string): Promise<{ bin: RunningBin; url: string }> {
  for (const instance of instances) {
    if (instance.bin.child.exitCode !== null || instance.bin.child.signalCode !== null) continue;
    const stats = (await (
      await fetch(`${instance.url}/stats`, { headers: { authorization: `Bearer ${key}` } })
    ).json()) as { instance: string };
    if (stats.instance === id) return instance;
  }
  throw new Error(`no running instance ${id}`);
}
