/** The response cache with the real CLI: hits, replays as SSE, keys, bypass, single flight, no errors kept. */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { readSse, startTestGateway, type TestGateway } from "../support/start-test-gateway.js";

let test: TestGateway;
const alice = "alice-cache-key-0123";
const bob = "bob-cache-key-0123";
beforeAll(async () => {
  test = await startTestGateway({ cache: { enabled: true }, auth: { api_keys: [alice, bob] } });
});
afterAll(() => test.close());

function ask(body: Record<string, unknown>, key = alice, headers: Record<string, string> = {}) {
  return test.post(
    { model: "sonnet", ...body },
    { headers: { "content-type": "application/json", authorization: `Bearer ${key}`, ...headers } },
  );
}
const calls = () => test.environment.mock.messageRequests().length;
const content = async (response: Response) =>
  ((await response.json()) as { choices: Array<{ message: { content: string } }> }).choices[0]?.message.content;

describe("response cache", () => {
  it("answers an identical request from the cache, as JSON or replayed as SSE, without the CLI", async () => {
    const question = { messages: [{ role: "user", content: "cache me" }] };
    const first = await ask(question);
    expect(first.headers.get("x-cache")).toBe("miss");
    expect(await content(first)).toBe("ECHO: cache me");
    const before = calls();
    const second = await ask(question);
    expect(second.headers.get("x-cache")).toBe("hit");
    expect(await content(second)).toBe("ECHO: cache me");
    const streamed = await ask({ ...question, stream: true, stream_options: { include_usage: true } });
    expect(streamed.headers.get("x-cache")).toBe("hit");
    const chunks = (await readSse(streamed)).filter((data) => data !== "[DONE]").map((data) => JSON.parse(data));
    expect(chunks.map((chunk) => chunk.choices[0]?.delta?.content ?? "").join("")).toBe("ECHO: cache me");
    expect(chunks.at(-1).usage.completion_tokens).toBeGreaterThan(0);
    expect(calls()).toBe(before);
  });

  it("keys by the caller, the model and the fields that change the answer; no-cache bypasses", async () => {
    await ask({ messages: [{ role: "user", content: "keyed" }] });
    expect((await ask({ messages: [{ role: "user", content: "keyed" }] }, bob)).headers.get("x-cache")).toBe("miss");
    expect((await ask({ model: "haiku", messages: [{ role: "user", content: "keyed" }] })).headers.get("x-cache")).toBe(
      "miss",
    );
    expect(
      (await ask({ temperature: 0.2, messages: [{ role: "user", content: "keyed" }] })).headers.get("x-cache"),
    ).toBe("miss");
    expect(
      (await ask({ user: "someone", messages: [{ role: "user", content: "keyed" }] })).headers.get("x-cache"),
    ).toBe("hit");
    const bypassed = await ask({ messages: [{ role: "user", content: "keyed" }] }, alice, {
      "cache-control": "no-cache",
    });
    expect(bypassed.headers.get("x-cache")).toBe("miss");
  });

  it("runs concurrent identical misses once", async () => {
    const before = calls();
    const question = { messages: [{ role: "user", content: "[[sleep:300]] once for all" }] };
    const answers = await Promise.all([ask(question), ask(question), ask(question)]);
    expect(await Promise.all(answers.map(content))).toEqual(Array(3).fill("ECHO: [[sleep:300]] once for all"));
    expect(calls() - before).toBe(1);
  });

  it("never keeps errors or continuing conversations", async () => {
    expect((await ask({ messages: [{ role: "user", content: "[[error:500]] failing" }] })).status).toBe(502);
    expect((await ask({ messages: [{ role: "user", content: "[[error:500]] failing" }] })).headers.get("x-cache")).toBe(
      "miss",
    );
    const first = (await (await ask({ messages: [{ role: "user", content: "remember" }] })).json()) as {
      conversation_id: string;
    };
    const next = { conversation_id: first.conversation_id, messages: [{ role: "user", content: "go on" }] };
    expect((await ask(next)).headers.get("x-cache")).toBeNull();
    expect((await ask(next)).headers.get("x-cache")).toBeNull();
  });
});
