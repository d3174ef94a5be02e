import type { RunResult } from '../engine/migration.runner';
import { COUNTER_NAMES } from '../ledger/ledger.repository';

/** The per-entity summary table a person reads at the end of a run. */
export function summaryTable(result: RunResult): string {
  const header = ['entity', ...COUNTER_NAMES];
  const rows = Object.entries(result.entities).map(([entity, counters]) => [
    entity,
    ...COUNTER_NAMES.map((name) => String(counters[name])),
  ]);
  const widths = header.map((title, column) =>
    Math.max(title.length, ...rows.map((row) => row[column].length)),
  );
  const line = (cells: string[]) =>
    cells
      .map((cell, column) => (column === 0 ? cell.padEnd(widths[column]) : cell.padStart(widths[column])))
      .join('  ');
  return [line(header), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)].join('\n');
}

export function problemList(result: RunResult, limit = 50): string {
  if (result.problems.length === 0) return '';
  const shown = result.problems
    .slice(0, limit)
    .map((p) => `  ${p.outcome.padEnd(11)} ${p.entity} ${p.sourceId}: ${p.reason}`);
  const more =
    result.problems.length > limit ? [`  … and ${result.problems.length - limit} more (see the ledger)`] : [];
  return [`${result.problems.length} record(s) did not load:`, ...shown, ...more].join('\n');
}

export function warningList(result: RunResult, limit = 50): string {
  if (result.warnings.length === 0) return '';
  const shown = result.warnings.slice(0, limit).map((w) => `  ${w.entity} ${w.sourceId}: ${w.message}`);
  const more =
    result.warnings.length > limit ? [`  … and ${result.warnings.length - limit} more (see the ledger)`] : [];
  return [`${result.warnings.length} record(s) loaded with a warning:`, ...shown, ...more].join('\n');
}

export function jsonSummary(result: RunResult) {
  return {
    migration: result.migration,
    runId: result.runId,
    kind: result.kind,
    status: result.status,
    ...(result.dryRun ? { dryRun: true } : {}),
    entities: result.entities,
    problems: result.problems,
    warnings: result.warnings,
    ...(result.predictions ? { records: result.predictions } : {}),
  };
}
