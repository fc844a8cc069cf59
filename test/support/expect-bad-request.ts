/** Runs `run` and checks it throws the 400 a request with this mistake gets, naming its param (and code). */
import { expect } from "vitest";
import { GatewayError } from "../../src/errors.js";

export function expectBadRequest(run: () => unknown, param: string, code?: string): void {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(GatewayError);
    expect((error as GatewayError).status).toBe(400);
    expect((error as GatewayError).param).toBe(param);
    if (code) expect((error as GatewayError).code).toBe(code);
    return;
  }
  throw new Error("expected a 400");
}
