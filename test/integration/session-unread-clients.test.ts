/**
 * A live-session client that stops reading (issue 11), with the real CLI and the mock API: what the
 * session sends it would pile up in the gateway's send buffer; past server.stream_buffer_kb unread
 * it is cut (one warn line, as for a cut HTTP stream), while a client of the same session that reads gets everything and the
 * session goes on.
 */
import { describe, expect, it } from "vitest";
import { capturedLogger } from "../support/captured-logger.js";
import { eventually } from "../support/eventually.js";
import { connectSession, type SessionMessage } from "../support/session-client.js";
import { gatewaysClosedAfterEachTest } from "../support/start-test-gateway.js";

const startGateway = gatewaysClosedAfterEachTest();
const isResult = (message: SessionMessage) => message.type === "result";

describe("a session client that does not read", () => {
  it("is cut once it leaves more than the buffer unread; a reading client of the session is not", async () => {
    const { logger, lines } = capturedLogger();
    const test = await startGateway({
      claude: { pool_min_idle: 0 },
      sessions: { enabled: true, max_history_kb: 256 },
      server: { stream_buffer_kb: 512 }, // 8 × 512 KB: more than any one message the reader is sent
      logger,
    });
    const created = await fetch(`${test.url}/v1/sessions`, { method: "POST" });
    const session = (await created.json()) as { id: string; ws_url: string };
    const reader = await connectSession(session.ws_url);
    const stalled = await connectSession(session.ws_url);
    stalled.socket.pause(); // reads nothing more: the gateway's send buffer is all that can grow

    // 2 MB of answer, sent as token events and again whole in the assistant and result messages.
    reader.send({ type: "user_message", content: "[[chunks:32:65536:0]] a long answer" });
    const result = await reader.waitFor(isResult);
    expect(String(result.result).length).toBeGreaterThan(2_000_000);

    const cut = await eventually(() => {
      const line = lines.find((entry) => entry.msg.startsWith("session client cut"));
      expect(line).toBeDefined();
      return line;
    });
    expect(cut?.level).toBe(40); // warn, like a cut HTTP stream: the gateway enforced a bound
    stalled.socket.resume();
    await eventually(() => expect(stalled.socket.readyState).toBe(stalled.socket.CLOSED));
    // The session and its reading client go on.
    reader.send({ type: "user_message", content: "still there" });
    expect((await reader.waitFor((message) => isResult(message) && message.result === "ECHO: still there")).type).toBe(
      "result",
    );
    await reader.close();
  });
});
