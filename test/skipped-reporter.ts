import path from 'node:path';
import type { Reporter, TestModule } from 'vitest/node';

/** Lists every skipped test at the end of a run, so what did not run is never a guess. */
export default class SkippedReporter implements Reporter {
  onTestRunEnd(testModules: ReadonlyArray<TestModule>): void {
    const skipped = testModules.flatMap((m) =>
      [...m.children.allTests('skipped')].map((t) => `  ${path.relative(process.cwd(), m.moduleId)} > ${t.fullName}`),
    );
    process.stdout.write(`\nskipped tests: ${skipped.length}\n${skipped.map((line) => `${line}\n`).join('')}`);
  }
}
