import { readFileSync } from 'node:fs';
import path from 'node:path';
import { BaseSequencer, type TestSpecification } from 'vitest/node';

/** A test file that starts processes (the CLI, `mcps serve`, fixtures): the longest files of the suite. */
const STARTS_PROCESSES = /\b(runCli|serveCli|cliArgs|builtFile|spawn|execFile)\(/;

/**
 * Vitest runs files longest first by the durations of the previous run. With none recorded (a fresh
 * clone, as in CI) it has no better order than file size, which sends the short CLI files, the longest
 * of all, to the end: one worker then finishes them while the other idles. Here, files that start
 * processes go first instead (each project keeping its place).
 */
export class SlowFirstSequencer extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const sorted = await super.sort(files);
    const root = this.ctx.config.root;
    const recorded = sorted.some((f) => this.ctx.cache.getFileTestResults(`${f.project.name}:${path.relative(root, f.moduleId)}`));
    if (recorded) return sorted;
    const slow = new Set(sorted.filter((f) => STARTS_PROCESSES.test(readFileSync(f.moduleId, 'utf8'))));
    const project = new Map(sorted.map((f, i) => [f.project.name, i]));
    return [...sorted].sort((a, b) => project.get(a.project.name)! - project.get(b.project.name)! || Number(slow.has(b)) - Number(slow.has(a)));
  }
}
