import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { guardUnreadSocket } from "./unread-socket-guard.js";

function fakeSocket() {
  return {
    bufferedAmount: 0,
    terminated: 0,
    terminate() {
      this.terminated++;
    },
  };
}

describe("guardUnreadSocket", () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it("lets a client that reads keep a large message waiting for a while", () => {
    const socket = fakeSocket();
    const cuts: number[] = [];
    const guard = guardUnreadSocket(socket, 100, (bytes) => cuts.push(bytes), 1_000);
    socket.bufferedAmount = 500; // a whole answer at once
    guard.check();
    vi.advanceTimersByTime(900);
    socket.bufferedAmount = 20; // read meanwhile
    vi.advanceTimersByTime(200);
    expect(cuts).toEqual([]);
    expect(socket.terminated).toBe(0);
  });

  it("cuts a client that left more than the limit unread for the stall time", () => {
    const socket = fakeSocket();
    const cuts: number[] = [];
    const guard = guardUnreadSocket(socket, 100, (bytes) => cuts.push(bytes), 1_000);
    socket.bufferedAmount = 150;
    guard.check();
    vi.advanceTimersByTime(1_000);
    expect(cuts).toEqual([150]);
    expect(socket.terminated).toBe(1);
  });

  it("cuts at once past eight times the limit, and a disposed guard cuts nothing", () => {
    const socket = fakeSocket();
    const cuts: number[] = [];
    guardUnreadSocket(socket, 100, (bytes) => cuts.push(bytes)).check();
    socket.bufferedAmount = 801;
    guardUnreadSocket(socket, 100, (bytes) => cuts.push(bytes)).check();
    expect(cuts).toEqual([801]);
    const quiet = fakeSocket();
    quiet.bufferedAmount = 150;
    const guard = guardUnreadSocket(quiet, 100, () => cuts.push(-1), 1_000);
    guard.check();
    guard.dispose();
    vi.advanceTimersByTime(2_000);
    expect(quiet.terminated).toBe(0);
  });
});
