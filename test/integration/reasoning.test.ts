/** Thinking → reasoning_content, and reasoning_effort → the CLI's effort level, with the real CLI. */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { specViolations } from "../support/openapi-validator.js";
import { readSse, startTestGateway, type TestGateway } from "../support/start-test-gateway.js";

let test: TestGateway;
beforeAll(async () => {
  test = await startTestGateway({ claude: { pool_min_idle: 1, max_concurrent_sessions: 1 } });
});
afterAll(() => test.close());

const lastEffort = () => {
  const body = test.environment.mock.messageRequests().at(-1)?.body as
    | { output_config?: { effort?: string } }
    | undefined;
  return body?.output_config?.effort;
};

describe("reasoning", () => {
  it("returns the model's thinking as message.reasoning_content", async () => {
    const completion = await test.client.chat.completions.create({
      model: "sonnet",
      messages: [{ role: "user", content: "[[think:Weighing the options first.]] decide" }],
    });
    const message = completion.choices[0]?.message as unknown as { content: string; reasoning_content?: string };
    expect(message.reasoning_content).toBe("Weighing the options first.");
    expect(specViolations("CreateChatCompletionResponse", completion)).toEqual([]);
    expect(message.content).toBe("ECHO: [[think:Weighing the options first.]] decide");
  });

  it("streams thinking as reasoning_content deltas ahead of the content", async () => {
    const response = await test.post({
      model: "sonnet",
      stream: true,
      messages: [{ role: "user", content: "[[think:Step one, then step two.]] go" }],
    });
    const deltas = (await readSse(response))
      .filter((data) => data !== "[DONE]")
      .map((data) => JSON.parse(data).choices[0]?.delta ?? {});
    const reasoning = deltas.map((delta) => delta.reasoning_content ?? "").join("");
    expect(reasoning).toBe("Step one, then step two.");
    expect(deltas.filter((delta) => delta.reasoning_content).length).toBeGreaterThan(1);
    const firstContent = deltas.findIndex((delta) => delta.content);
    const lastReasoning = deltas.map((delta) => Boolean(delta.reasoning_content)).lastIndexOf(true);
    expect(lastReasoning).toBeLessThan(firstContent);
  });

  it("maps reasoning_effort to the CLI's effort, per request, on the same warm process", async () => {
    await test.client.chat.completions.create({
      model: "sonnet",
      messages: [{ role: "user", content: "quick" }],
      reasoning_effort: "low",
    });
    expect(lastEffort()).toBe("low");
    await test.client.chat.completions.create({
      model: "sonnet",
      messages: [{ role: "user", content: "hard" }],
      reasoning_effort: "high",
    });
    expect(lastEffort()).toBe("high");
    await test.client.chat.completions.create({
      model: "sonnet",
      messages: [{ role: "user", content: "minimal" }],
      reasoning_effort: "minimal",
    });
    expect(lastEffort()).toBe("low");
    // No reasoning_effort: the CLI's default again, not what the previous request left.
    await test.client.chat.completions.create({ model: "sonnet", messages: [{ role: "user", content: "default" }] });
    expect(lastEffort()).not.toBe("low");
    expect(test.pool().spawned).toBe(1);
  });

  it("rejects an unknown reasoning_effort, naming the param", async () => {
    const response = await test.post({
      model: "sonnet",
      messages: [{ role: "user", content: "x" }],
      reasoning_effort: "extreme",
    });
    expect(response.status).toBe(400);
    expect(((await response.json()) as { error: { param: string } }).error.param).toBe("reasoning_effort");
  });
});
