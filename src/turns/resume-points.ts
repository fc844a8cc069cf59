/**
 * Where a turn's CLI session can be resumed so that a client's late tool results follow their
 * calls. Measured with CLI 2.1.197 (decision 0012): after an interrupt the transcript holds error
 * results for the calls, which a plain `--resume` keeps (it drops the client's); only
 * `--resume <session> --resume-session-at <uuid of the line with the last call> --fork-session`
 * gives the model a clean call → result exchange, now and in later resumes. The stdout line's uuid
 * is the transcript's.
 */
import type { TurnLine } from "../claude/protocol.js";

interface Point {
  sessionId: string;
  uuid: string;
  order: number;
}

export class ResumePoints {
  private readonly byCall = new Map<string, Point>();
  private seen = 0;

  /** The turn's lines, passed through: notes the line each of the model's tool calls came in. */
  async *track(lines: AsyncIterable<TurnLine>): AsyncGenerator<TurnLine> {
    for await (const line of lines) {
      if (line.type === "assistant" && line.parent_tool_use_id === null && line.uuid) {
        const point = { sessionId: line.session_id, uuid: line.uuid, order: this.seen++ };
        for (const block of line.message.content) {
          if (block.type === "tool_use") this.byCall.set((block as { id: string }).id, point);
        }
      }
      yield line;
    }
  }

  /** The arguments of a process that continues after these calls, if every one of them was seen. */
  forkArguments(callIds: readonly string[]): string[] | undefined {
    let last: Point | undefined;
    for (const id of callIds) {
      const point = this.byCall.get(id);
      if (!point || (last && point.sessionId !== last.sessionId)) return undefined;
      if (!last || point.order > last.order) last = point;
    }
    if (!last) return undefined;
    return ["--resume", last.sessionId, "--resume-session-at", last.uuid, "--fork-session"];
  }
}
