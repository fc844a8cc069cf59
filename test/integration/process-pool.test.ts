/**
 * The warm pool with the REAL claude binary: conversations kept in their processes, reuse after
 * /clear, launch profiles per system prompt, model switching, crash replacement, eviction, idle
 * reaping, spawn-per-request mode, no leaks.
 */
import { describe, expect, it } from "vitest";
import { eventually, poolSettled } from "../support/eventually.js";
import { isRunning } from "../support/is-running.js";
import { gatewaysClosedAfterEachTest, startTestGateway, type TestGateway } from "../support/start-test-gateway.js";

const gateway = gatewaysClosedAfterEachTest();

async function complete(test: TestGateway, content: string, options: { system?: string; model?: string } = {}) {
  const messages = [
    ...(options.system ? [{ role: "system" as const, content: options.system }] : []),
    { role: "user" as const, content },
  ];
  const completion = await test.client.chat.completions.create({ model: options.model ?? "sonnet", messages });
  return completion.choices[0]?.message.content;
}

const settled = (test: TestGateway) => poolSettled(test.pool);

describe("process pool", () => {
  it("keeps spares warm, keeps conversations in their processes, and recycles the oldest when full", async () => {
    const test = await gateway({ claude: { pool_min_idle: 1, max_concurrent_sessions: 3 } });
    await settled(test);
    expect(test.pool().states.spare).toBe(1);

    expect(await complete(test, "first secret is OCTOPUS")).toBe("ECHO: first secret is OCTOPUS");
    await settled(test);
    // The conversation keeps its process for its next message; a new spare is readied.
    expect(test.pool().states).toMatchObject({ bound: 1, spare: 1 });
    for (const word of ["two", "three", "four", "five", "six"])
      expect(await complete(test, word)).toBe(`ECHO: ${word}`);
    await settled(test);

    // Full: the least recently used conversations were cleared for new ones, one process kept ready.
    const { processes, spawned, states } = test.pool();
    expect(processes).toBe(3);
    expect(spawned).toBe(3);
    expect(states.bound).toBe(2);
    expect(states.idle + states.spare).toBe(1);
    // …and /clear really reset them: no later request carried the first conversation.
    const later = test.environment.mock.messageRequests().slice(1);
    expect(later.every((request) => !JSON.stringify(request.body.messages).includes("OCTOPUS"))).toBe(true);
  });

  it("initializes a spare with each new system prompt, and clears a process of that prompt for its next one", async () => {
    const test = await gateway({ claude: { pool_min_idle: 0, max_concurrent_sessions: 2 } });
    await complete(test, "a", { system: "PROMPT-A" });
    await complete(test, "b", { system: "PROMPT-B" });
    await settled(test);
    expect(test.pool().spawned).toBe(2);
    await complete(test, "a again", { system: "PROMPT-A" });
    await settled(test);
    expect(test.pool().spawned).toBe(2);
    const systems = test.environment.mock.messageRequests().map((request) => JSON.stringify(request.body.system));
    expect(systems[0]).toContain("PROMPT-A");
    expect(systems[1]).toContain("PROMPT-B");
    expect(systems[2]).toContain("PROMPT-A");
    expect(systems[2]).not.toContain("PROMPT-B");
    expect(JSON.stringify(test.environment.mock.messageRequests()[2]?.body.messages)).not.toContain('"a"');
  });

  it("switches the model per request on a warm process", async () => {
    const test = await gateway({});
    await complete(test, "one", { model: "haiku" });
    await complete(test, "two", { model: "sonnet" });
    await complete(test, "three", { model: "haiku" });
    const models = test.environment.mock.messageRequests().map((request) => request.body.model);
    expect(models[0]).toMatch(/haiku/);
    expect(models[1]).toMatch(/sonnet/);
    expect(models[2]).toMatch(/haiku/);
  });

  it("replaces a process that dies between turns", async () => {
    const test = await gateway({ claude: { pool_min_idle: 1 } });
    await complete(test, "warm up");
    await settled(test);
    const waiting = test.pool().members.find((member) => member.state === "bound" || member.state === "idle");
    const pid = waiting?.pid;
    // Never signal a made-up pid: kill(-1) would hit every process on the machine.
    if (typeof pid !== "number" || pid <= 1) throw new Error(`no waiting process: ${JSON.stringify(test.pool())}`);
    process.kill(pid, "SIGKILL");
    await eventually(() => expect(test.pool().crashed).toBe(1));
    expect(await complete(test, "after the crash")).toBe("ECHO: after the crash");
  });

  it("evicts the least recently used idle process when a new profile needs room", async () => {
    const test = await gateway({ claude: { pool_min_idle: 0, max_concurrent_sessions: 2 } });
    await complete(test, "a", { system: "PROFILE-A" });
    await complete(test, "b", { system: "PROFILE-B" });
    await settled(test);
    const [first] = test.pool().members;
    expect(await complete(test, "c", { system: "PROFILE-C" })).toBe("ECHO: c");
    await settled(test);
    expect(test.pool().processes).toBe(2);
    await eventually(() => expect(isRunning(first?.pid)).toBe(false));
  });

  it("ends idle processes after claude.idle_timeout_seconds, keeping the minimum of spares", async () => {
    const test = await gateway({ claude: { pool_min_idle: 1, idle_timeout_seconds: 0.5 } });
    await complete(test, "a", { system: "SHORT-LIVED" });
    await settled(test);
    const idle = test.pool().members.find((member) => member.state === "idle");
    await eventually(() => expect(test.pool().states.idle).toBe(0));
    await eventually(() => expect(isRunning(idle?.pid)).toBe(false));
    await settled(test);
    expect(test.pool().states.spare).toBe(1);
  });

  it("spawns one process per request when claude.use_interactive_sessions is false", async () => {
    const test = await gateway({ claude: { use_interactive_sessions: false, pool_min_idle: 0 } });
    expect(test.pool().processes).toBe(0);
    expect(await complete(test, "one")).toBe("ECHO: one");
    expect(await complete(test, "two")).toBe("ECHO: two");
    await eventually(() => expect(test.pool().processes).toBe(0));
    expect(test.pool().spawned).toBe(2);
  });

  it("ends every CLI process when the gateway closes", async () => {
    const test = await startTestGateway({ claude: { pool_min_idle: 2 } });
    await complete(test, "hello");
    await settled(test);
    const pids = test.pool().members.map((member) => member.pid);
    expect(pids.length).toBeGreaterThanOrEqual(2);
    await test.close();
    for (const pid of pids) expect(isRunning(pid)).toBe(false);
  });
});
