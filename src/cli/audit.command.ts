import { writeFileSync } from 'node:fs';
import { prepareAudit, runAudit, type AuditReport } from '../audit/audit';
import { auditHtml } from '../report/html-report';
import { loadPlanFile } from '../plan/migration-plan';
import { reportSetupError } from './run-plan';

/** `switchyard audit PLAN.yaml [--json]`: reads the source, writes nothing; exit 0 clean, 3 with findings, 2 bad plan. */
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
  return report.findings.length === 0 ? 0 : 3;
}

function auditText(report: AuditReport): string {
  const lines = [
    `Audit of ${report.source.platform} at ${report.source.url} for migration ${report.migration}`,
    '',
  ];
  for (const [entity, summary] of Object.entries(report.entities)) {
    lines.push(`${entity}: ${summary.count}`);
    for (const [category, counts] of Object.entries(summary.categories)) {
      const parts = Object.entries(counts)
        .sort(([, a], [, b]) => b - a)
        .map(([value, n]) => `${value} ${n}`);
      lines.push(`  by ${category}: ${parts.join(', ')}`);
    }
  }
  lines.push(
    '',
    report.findings.length === 0 ? 'No problems found.' : `${report.findings.length} problem(s):`,
  );
  for (const f of report.findings)
    lines.push(`  ${f.kind.padEnd(10)} ${f.entity} ${f.sourceId}: ${f.message}`);
  return `${lines.join('\n')}\n`;
}
