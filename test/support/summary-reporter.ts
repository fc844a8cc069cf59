/**
 * Ends the test output with one line `N passed, N failed`, so a run that executed no test (or
 * crashed before reporting) is visible at a glance and to CI.
 */
import type { Reporter, TestModule } from "vitest/node";

export default class SummaryReporter implements Reporter {
  onTestRunEnd(testModules: ReadonlyArray<TestModule>, unhandledErrors: ReadonlyArray<unknown>): void {
    let passed = 0;
    let failed = 0;
    for (const testModule of testModules) {
      // A file that failed to load has no test cases: count it as a failure, not as nothing.
      if (testModule.state() === "failed" && [...testModule.children.allTests()].length === 0) failed++;
      for (const testCase of testModule.children.allTests()) {
        const state = testCase.result().state;
        if (state === "passed") passed++;
        else if (state === "failed") failed++;
      }
    }
    failed += unhandledErrors.length;
    process.stdout.write(`\n${passed} passed, ${failed} failed\n`);
  }
}
