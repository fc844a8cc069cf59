/** The pids of a process's descendants, now (from `ps`): what must not outlive it. */
import { execFileSync } from "node:child_process";

export function descendants(pid: number): number[] {
  const rows = execFileSync("ps", ["-eo", "pid=,ppid="], { encoding: "utf8" })
    .trim()
    .split("\n")
    .map((line) => line.trim().split(/\s+/).map(Number) as [number, number]);
  const found: number[] = [];
  const visit = (parent: number) => {
    for (const [child, ofParent] of rows) {
      if (ofParent === parent && child > 0) {
        found.push(child);
        visit(child);
      }
    }
  };
  visit(pid);
  return found;
}
