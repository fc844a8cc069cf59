/**
 * The operator page in a real browser: Debian's Chromium (package `chromium`, never downloaded)
 * driven by playwright-core over CDP, against a gateway with an admin key and a plain key, serving
 * the real CLI from the mock Anthropic API. It loads /ui, sees the pool, watches the chart fill,
 * streams a playground message, opens the conversation, and checks that a plain key sees only its
 * own. It writes the README's screenshots (docs/screenshots/) as it goes.
 */
import { existsSync, mkdirSync } from "node:fs";
import { type Browser, type BrowserContext, chromium, type Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { eventually } from "../support/eventually.js";
import { startTestGateway, type TestGateway } from "../support/start-test-gateway.js";

const chromiumPath = "/usr/bin/chromium";
const screenshots = new URL("../../docs/screenshots/", import.meta.url);
const adminKey = "ops-admin-key-0123456789";
const plainKey = "team-plain-key-0123456789";

let test: TestGateway;
let browser: Browser;
const contexts: BrowserContext[] = [];

beforeAll(async () => {
  if (!existsSync(chromiumPath)) {
    throw new Error(`${chromiumPath} is missing: install Debian's package "chromium" (apt-get install chromium).`);
  }
  browser = await chromium.launch({ executablePath: chromiumPath, args: ["--no-sandbox"] });
  test = await startTestGateway({
    // A subscription login: the only one the CLI reports usage windows for (decision 0017).
    apiKey: null,
    extraEnvironment: { CLAUDE_CODE_OAUTH_TOKEN: "subscription-token" },
    auth: {
      keys: [
        { name: "ops", key: adminKey, grants: ["admin"] },
        { name: "team", key: plainKey },
      ],
    },
  });
  // The API's rate-limit headers on every answer: the weekly window past a threshold it names.
  const now = Math.floor(Date.now() / 1000);
  test.environment.mock.setMessageHeaders({
    "anthropic-ratelimit-unified-status": "allowed",
    "anthropic-ratelimit-unified-reset": String(now + weekSeconds),
    "anthropic-ratelimit-unified-representative-claim": "seven_day",
    "anthropic-ratelimit-unified-5h-utilization": "0.42",
    "anthropic-ratelimit-unified-5h-reset": String(now + 3_600),
    "anthropic-ratelimit-unified-7d-utilization": "0.8",
    "anthropic-ratelimit-unified-7d-reset": String(now + weekSeconds),
    "anthropic-ratelimit-unified-7d-surpassed-threshold": "0.75",
  });
});

const weekSeconds = 5 * 86_400;

afterAll(async () => {
  for (const context of contexts) await context.close();
  await browser?.close();
  await test?.close();
});

/** What the functions run in the page use of it (this project type-checks for Node, without the DOM library). */
interface PageGlobals {
  document: {
    getElementById(id: string): { querySelector(selectors: string): { textContent: string | null } | null };
    documentElement: { scrollWidth: number };
  };
  MutationObserver: new (
    callback: () => void,
  ) => { observe(target: unknown, options: { subtree: boolean; childList: boolean; characterData: boolean }): void };
  /** The answer's text at each change, with the time of the change. */
  seen: Array<{ at: number; text: string }>;
}

/** Whatever the page does wrong that a person would not see: a script error, a CSP violation. */
const problems: string[] = [];

async function openPage(width = 1280, height = 900): Promise<Page> {
  const context = await browser.newContext({ viewport: { width, height } });
  contexts.push(context);
  const page = await context.newPage();
  page.on("pageerror", (error) => problems.push(`page error: ${error.message}`));
  page.on("console", (message) => {
    if (/Content.Security.Policy|Refused to/i.test(message.text())) problems.push(message.text());
  });
  await page.goto(`${test.url}/ui`);
  return page;
}

async function useKey(page: Page, key: string, name: string): Promise<void> {
  await page.getByLabel("API key").fill(key);
  await page.getByRole("button", { name: "Use key" }).click();
  await page.locator("#identity", { hasText: `signed in as ${name}` }).waitFor();
}

/** The number a figure (`<dt>label</dt><dd>n</dd>`) of a `<dl>` shows. */
async function figure(page: Page, list: string, label: string): Promise<number> {
  const text = page.locator(`${list} .figure`, { has: page.locator("dt", { hasText: label }) }).locator("dd");
  return Number((await text.textContent())?.replace(/[^\d]/g, ""));
}

const chat = (key: string, content: string) =>
  test.post(
    { model: "sonnet", messages: [{ role: "user", content }] },
    { headers: { "content-type": "application/json", authorization: `Bearer ${key}` } },
  );

describe("the operator page", () => {
  let page: Page;
  let conversationId: string;

  it("asks for a key, then shows the admin the pool, by state and by launch profile", async () => {
    page = await openPage();
    await page.locator("#status", { hasText: "needs an API key" }).waitFor();
    await useKey(page, adminKey, "ops (admin)");
    await eventually(async () => expect(await figure(page, "#pool-states", "processes")).toBeGreaterThan(0));
    await page.locator("#pool-profiles tbody tr").first().waitFor();
    expect(await page.locator("#pool-profiles").isVisible()).toBe(true);
    expect(await page.locator("#identity").textContent()).toMatch(/version \d+\.\d+\.\d+ · up /);
    // Until the gateway reports them (GET /v1/usage), the windows are unknown — never 0 %.
    await page.locator('#usage-windows [data-window="five_hour"]', { hasText: "unknown" }).waitFor();
    expect(await page.locator("#usage-windows").textContent()).not.toContain("0 %");
  });

  it("fills the chart of the last hour after model requests", async () => {
    const chart = page.locator("#timeline-chart");
    const before = Number((await chart.getAttribute("data-requests")) ?? 0);
    for (const word of ["one", "two", "three"]) expect((await chat(adminKey, `chart ${word}`)).status).toBe(200);
    await eventually(async () =>
      expect(Number(await chart.getAttribute("data-requests"))).toBeGreaterThanOrEqual(before + 3),
    );
    expect(await chart.locator("rect.bar").count()).toBeGreaterThan(0);
    expect(await page.locator("#timeline-summary").textContent()).toMatch(/model requests in the last hour/);
    // The admin's usage per key, by the key's name.
    await page.locator("#usage-by-key tbody tr", { hasText: "ops" }).waitFor();
  });

  it("shows the usage windows as the CLI reported them: the weekly one used, the 5-hour one unknown", async () => {
    // The page asks every 15 s; the requests above made the CLI report the weekly window.
    const weekly = page.locator('#usage-windows [data-window="seven_day"]');
    await weekly.locator(".window-used", { hasText: "80 % used" }).waitFor({ timeout: 30_000 });
    expect(await weekly.textContent()).toMatch(/status allowed_warning · reported .* ago/);
    expect(await weekly.locator("meter").getAttribute("value")).toBe("0.8");
    // Reported with no utilization (the CLI reports one only with a warning): unknown, never 0 %.
    const session = page.locator('#usage-windows [data-window="five_hour"]');
    expect(await session.locator(".window-used").textContent()).toBe("unknown");
    expect(await page.locator("#usage-windows").textContent()).not.toMatch(/(^|[^0-9])0 % used/);
  });

  it("streams a playground message token by token, with its reasoning, then continues the conversation", async () => {
    await page.locator("#model option[value=sonnet]").waitFor({ state: "attached" });
    await page.getByLabel("Model", { exact: true }).selectOption("sonnet");
    // Every change of the transcript's text, with its time: the answer must grow while it streams.
    await page.evaluate(() => {
      const browser = globalThis as unknown as PageGlobals;
      browser.seen = [];
      const transcript = browser.document.getElementById("transcript");
      new browser.MutationObserver(() => {
        const answer = transcript.querySelector(".message.assistant:last-child .answer");
        browser.seen.push({ at: performance.now(), text: answer?.textContent ?? "" });
      }).observe(transcript, { subtree: true, childList: true, characterData: true });
    });
    await page.getByLabel("Message", { exact: true }).fill("[[think:Weighing the options.]] [[slow:5:200]] go");
    await page.getByRole("button", { name: "Send" }).click();
    const answer = page.locator("#transcript .message.assistant .answer");
    await answer.filter({ hasText: "w1 w2 w3 w4 w5" }).waitFor();
    await page.locator("#transcript .message.assistant", { hasText: "finish reason: stop" }).waitFor();
    const seen = await page.evaluate(() => (globalThis as unknown as PageGlobals).seen);
    const growing = [...new Set(seen.map((entry) => entry.text.trim()).filter(Boolean))];
    expect(growing.at(-1)).toBe("w1 w2 w3 w4 w5");
    expect(growing.length).toBeGreaterThanOrEqual(3);
    for (const partial of growing) expect("w1 w2 w3 w4 w5".startsWith(partial)).toBe(true);
    const first = seen.find((entry) => entry.text.trim() === "w1");
    const last = seen.find((entry) => entry.text.trim() === "w1 w2 w3 w4 w5");
    expect((last?.at ?? 0) - (first?.at ?? 0)).toBeGreaterThan(400);
    expect(await page.locator("#transcript .reasoning").textContent()).toContain("Weighing the options.");
    expect(await page.locator("#transcript").getAttribute("aria-live")).toBe("polite");

    conversationId = (await page.locator("#playground-conversation code").textContent()) ?? "";
    expect(conversationId).toMatch(/^conv_/);
    const curl = (await page.locator('#code-samples details[data-language="curl"] pre').textContent()) ?? "";
    expect(curl).toContain(`${test.url}/v1/chat/completions`);
    expect(curl).toContain("$CCAPI_KEY");
    expect(await page.locator("#code-samples").textContent()).not.toContain(adminKey);

    await page.getByLabel("Message", { exact: true }).fill("and once more");
    await page.getByLabel("Message", { exact: true }).press("Control+Enter");
    await answer.filter({ hasText: "ECHO: and once more" }).waitFor();
    expect(await page.locator("#playground-conversation code").textContent()).toBe(conversationId);
    const python = (await page.locator('#code-samples details[data-language="python"] pre').textContent()) ?? "";
    expect(python).toContain(`extra_headers={"x-conversation-id": "${conversationId}"}`);
  });

  it("opens the conversation and reads its items", async () => {
    await page.getByRole("button", { name: "Refresh" }).first().click();
    await page.getByRole("button", { name: `Open ${conversationId}` }).click();
    const items = page.locator("#conversation-items li");
    await eventually(async () => expect(await items.count()).toBe(4));
    expect(await items.nth(0).textContent()).toContain("[[slow:5:200]] go");
    expect(await items.nth(1).textContent()).toContain("w1 w2 w3 w4 w5");
    expect(await items.nth(3).textContent()).toContain("ECHO: and once more");
    // Focus moves to what was opened, for keyboard and screen reader users.
    expect(await page.locator(":focus").getAttribute("id")).toBe("conversation-view-heading");
  });

  it("reads well wide and narrow (one column, nothing wider than the screen); screenshots for the README", async () => {
    mkdirSync(screenshots, { recursive: true });
    // The next poll of /stats has the playground's two turns too: the picture shows all five.
    await eventually(async () =>
      expect(Number(await page.locator("#timeline-chart").getAttribute("data-requests"))).toBe(5),
    );
    await page.screenshot({ path: new URL("operator-dashboard-wide.png", screenshots).pathname, fullPage: true });
    await page.setViewportSize({ width: 390, height: 844 });
    await eventually(async () => {
      const lefts = new Set<number | undefined>();
      for (const card of await page.locator("main > .card").all()) lefts.add((await card.boundingBox())?.x);
      const scrollWidth = await page.evaluate(
        () => (globalThis as unknown as PageGlobals).document.documentElement.scrollWidth,
      );
      expect({ scrollWidth, columns: lefts.size }).toEqual({ scrollWidth: 390, columns: 1 });
    });
    await page.screenshot({ path: new URL("operator-dashboard-narrow.png", screenshots).pathname, fullPage: true });
  });

  it("shows a plain key only its own usage and conversations: no per-key rows, no admin's conversation", async () => {
    const own = (await (await chat(plainKey, "mine alone")).json()) as { conversation_id: string };
    const other = await openPage(1024, 800);
    await useKey(other, plainKey, "team");
    expect(await other.locator("#identity").textContent()).not.toContain("(admin)");
    await other.getByRole("button", { name: `Open ${own.conversation_id}` }).waitFor();
    expect(await other.locator("#conversations").textContent()).not.toContain(conversationId);
    expect(await other.locator("#usage-by-key").isVisible()).toBe(false);
    expect(await other.locator("#pool-profiles").isVisible()).toBe(false);
    expect(await other.locator("#usage-by-key tbody tr").count()).toBe(0);
    expect(await figure(other, "#usage-totals", "your requests")).toBe(1);

    // Deleting asks first, then the conversation is gone for good.
    other.once("dialog", (dialog) => dialog.accept());
    await other.getByRole("button", { name: `Delete ${own.conversation_id}` }).click();
    await other.getByRole("button", { name: `Open ${own.conversation_id}` }).waitFor({ state: "detached" });
    const gone = await fetch(`${test.url}/v1/conversations/${own.conversation_id}`, {
      headers: { authorization: `Bearer ${plainKey}` },
    });
    expect(gone.status).toBe(404);
  });

  it("needs no key on keyless loopback, where the page is the operator's (admin)", async () => {
    const keyless = await startTestGateway({ claude: { pool_min_idle: 0 } });
    try {
      const context = await browser.newContext();
      contexts.push(context);
      const local = await context.newPage();
      await local.goto(`${keyless.url}/ui`);
      await local.locator("#identity", { hasText: "signed in as operator (admin)" }).waitFor();
      expect(await local.locator("#usage-by-key").isVisible()).toBe(true);
      expect(await local.locator("#status").textContent()).toBe("");
    } finally {
      await keyless.close();
    }
  });

  it("keeps the browser guard: the page's own origin passes, another origin does not", async () => {
    const headers = { authorization: `Bearer ${adminKey}` };
    expect((await fetch(`${test.url}/stats`, { headers: { ...headers, origin: test.url } })).status).toBe(200);
    const elsewhere = await fetch(`${test.url}/stats`, {
      headers: { ...headers, origin: "https://elsewhere.example" },
    });
    expect(elsewhere.status).toBe(403);
    expect(((await elsewhere.json()) as { error: { code: string } }).error.code).toBe("origin_not_allowed");
  });

  it("ran without a script error or anything the page's policy refused", () => {
    expect(problems).toEqual([]);
  });
});
