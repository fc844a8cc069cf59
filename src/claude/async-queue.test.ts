import { describe, expect, it } from "vitest";
import { AsyncQueue } from "./async-queue.js";

describe("AsyncQueue", () => {
  it("delivers pushed items in order, then ends", async () => {
    const queue = new AsyncQueue<number>();
    queue.push(1);
    const pending = queue.next();
    queue.push(2);
    queue.end();
    expect(await pending).toEqual({ value: 1, done: false });
    expect(await queue.next()).toEqual({ value: 2, done: false });
    expect(await queue.next()).toEqual({ value: undefined, done: true });
  });

  it("rejects a reader that is already waiting when it fails", async () => {
    const queue = new AsyncQueue<number>();
    const pending = queue.next();
    queue.fail(new Error("process died"));
    await expect(pending).rejects.toThrow("process died");
  });

  it("hands out queued items before the failure", async () => {
    const queue = new AsyncQueue<number>();
    queue.push(1);
    queue.fail(new Error("process died"));
    expect(await queue.next()).toEqual({ value: 1, done: false });
    await expect(queue.next()).rejects.toThrow("process died");
  });
});
