import { writeFileSync } from 'node:fs';
import { type AuditReport, cleaningLine, prepareAudit, runAudit } from '../audit/audit';
import { auditHtml } from '../report/html-report';
import { loadPlanFile } from '../plan/migration-plan';
import { reportSetupError } from './run-plan';

/**
 * `switchyard audit PLAN.yaml [--json] [--html FILE]`: reads the source, writes nothing. Exit 0 when every
 * finding is handled by the plan's cleaning rules (or there are none), 3 when some need fixing, 2 bad plan.
 */
export async function runAuditCommand(
  planPath: string,
  options: { json?: boolean; html?: string },
): Promise<number> {
  let report: AuditReport;
  try {
    const plan = loadPlanFile(planPath);
    report = await runAudit(plan, await prepareAudit(plan));
  } catch (error) {
    return reportSetupError(error);
  }
  if (options.html) writeFileSync(options.html, auditHtml(report));
  if (options.json) process.stdout.write(`${JSON.stringify(report)}\n`);
  else process.stdout.write(auditText(report));
  return unresolved(report).length === 0 ? 0 : 3;
}

function auditText(report: AuditReport): string {
  const lines = [
    `Audit of ${report.source.platform} at ${report.source.url} for migration ${report.migration}`,
    '',
  ];
  for (const [entity, summary] of Object.entries(report.entities)) {
    lines.push(`${entity}: ${summary.count}`);
    if (summary.cleaning) lines.push(`  cleaning: ${cleaningLine(summary.cleaning)}`);
    for (const [category, counts] of Object.entries(summary.categories)) {
      const parts = Object.entries(counts)
        .sort(([, a], [, b]) => b - a)
        .map(([value, n]) => `${value} ${n}`);
      lines.push(`  by ${category}: ${parts.join(', ')}`);
    }
    if (summary.unmapped.length > 0)
      lines.push(`  unmapped (no mapping reads them): ${summary.unmapped.join(', ')}`);
  }
  const open = unresolved(report);
  const handled = report.findings.length - open.length;
  lines.push(
    '',
    report.findings.length === 0
      ? 'No problems found.'
      : handled === 0
        ? `${report.findings.length} problem(s):`
        : `${report.findings.length} problem(s): ${open.length} to fix at the source, ${handled} handled by the plan's cleaning rules`,
  );
  for (const f of report.findings)
    lines.push(
      `  ${f.kind.padEnd(10)} ${f.entity} ${f.sourceId}: ${f.message}${f.cleaning ? `  [cleaning: ${f.cleaning}]` : ''}`,
    );
  return `${lines.join('\n')}\n`;
}

/** Findings the plan's cleaning rules do not deal with: what exit code 3 means. */
const unresolved = (report: AuditReport) => report.findings.filter((f) => !f.cleaning);
