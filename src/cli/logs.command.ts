import type { Command } from 'commander';

/**
 * `mcps logs analyze|templates|search|compare FILE...`: the log analyzer for people on this machine.
 * Reads the files named (any the user can read; `.gz` too), draws progress on a terminal, prints a
 * report or, with --json, the same result the REST API and MCP tools give. The code loads only when a
 * command runs.
 */
export function registerLogsCommands(program: Command): void {
  const logs = program.command('logs').description('analyze log files: summary, templates, search, incident comparison');
  const common = (c: Command) =>
    c
      .option('--json', 'print the result as JSON')
      .option('--format <format>', 'read every file as json|logfmt|access|syslog5424|syslog3164|text|raw (default: detected per file)')
      .option('--from <time>', 'only entries at or after this time (ISO 8601)')
      .option('--to <time>', 'only entries before this time')
      .option('--level <levels>', 'only entries of these levels, comma-separated (e.g. error,fatal)')
      .option('--contains <text>', 'only entries containing this text')
      .option('--timezone <zone>', 'zone of times written without one: UTC (default) or +HH:MM')
      .option('--limit <n>', 'items listed');
  const run = (kind: 'analyze' | 'templates' | 'search' | 'compare') => async (...args: unknown[]) => {
    const { runLogsCommand } = await import('../analyzer/analyzer.cli.js');
    await runLogsCommand(kind, args);
  };

  common(logs.command('analyze <files...>').description('levels, time histogram, top errors, access-log statuses and latencies')).action(run('analyze'));
  common(logs.command('templates <files...>').description('mine message templates (Drain)'))
    .option('--assign <out.jsonl>', 'write {"line", "template_id", "template"} for every entry (every line with --format raw)')
    .option('--similarity <x>', 'share of equal tokens to join a template (default 0.5)')
    .action(run('templates'));
  common(logs.command('search <query> <files...>').description('entries containing a text (or matching an RE2 regex with --regex)'))
    .option('--regex', 'the query is an RE2 regular expression')
    .option('--context <n>', 'entries shown around each match', '0')
    .action(run('search'));
  common(logs.command('compare <files...>').description('an incident window against a baseline: new, grown and vanished templates'))
    .requiredOption('--incident <from/to>', 'the incident window, FROM/TO in ISO 8601 (e.g. 2024-03-01T12:00Z/2024-03-01T13:00Z)')
    .option('--baseline <from/to>', 'the baseline window (default: everything before the incident)')
    .action(run('compare'));
}
