import { writeFileSync } from 'node:fs';
import { NestFactory } from '@nestjs/core';
import { reconciliationHtml } from '../report/html-report';
import { CliModule } from '../app/cli.module';
import { LedgerRepository } from '../ledger/ledger.repository';
import { reconcile, type Reconciliation } from '../reconcile/reconcile';
import { reportSetupError, withPreparedPlan } from './run-plan';

/** `switchyard reconcile PLAN.yaml [--json]`: exit 0 pass, 4 fail, 2 bad plan or unreachable platform. */
export async function runReconcileCommand(
  planPath: string,
  options: { json?: boolean; html?: string },
): Promise<number> {
  return withPreparedPlan(planPath, async (prepared) => {
    const app = await NestFactory.createApplicationContext(CliModule, { logger: false });
    try {
      const report = await reconcile(prepared, app.get(LedgerRepository));
      if (options.html) writeFileSync(options.html, reconciliationHtml(report));
      process.stdout.write(options.json ? `${JSON.stringify(report)}\n` : reconcileText(report));
      return report.verdict === 'pass' ? 0 : 4;
    } catch (error) {
      return reportSetupError(error);
    } finally {
      await app.close();
    }
  });
}

function reconcileText(report: Reconciliation): string {
  const lines = [`Reconciliation of migration ${report.migration}: ${report.verdict.toUpperCase()}`, ''];
  lines.push('entity      source  loaded  quarantined  failed  skipped  merged  destination');
  for (const [entity, e] of Object.entries(report.entities)) {
    const { loaded, quarantined, failed, skipped, merged } = e.ledger;
    lines.push(
      `${entity.padEnd(10)} ${String(e.source).padStart(7)} ${String(loaded).padStart(7)} ${String(quarantined).padStart(12)} ${String(failed).padStart(7)} ${String(skipped).padStart(8)} ${String(merged).padStart(7)} ${String(e.destination).padStart(12)}`,
    );
    for (const [name, a] of Object.entries(e.aggregates))
      lines.push(
        `  ${name}: source ${a.source}, destination ${a.destination}${a.equal ? '' : '  ← DIFFERENT'}`,
      );
  }
  if (report.accounting) {
    const books = report.accounting;
    lines.push('', `The books at ${books.cutoffDate} (${books.currency}), source and destination:`);
    for (const [title, section] of [
      ['trial balance', books.trialBalance],
      ['open items per customer and supplier', books.openItems],
      ['VAT per code', books.vat],
    ] as const) {
      lines.push(
        `  ${title}: ${section.equal ? 'equal' : 'DIFFERENT'} (${section.lines.length} lines, totals ${section.totals.source} and ${section.totals.destination})`,
      );
      for (const line of section.differences)
        lines.push(
          `    ${line.key}: source ${line.source}, destination ${line.destination} (${line.difference})`,
        );
    }
  }
  if (report.quarantined.length > 0)
    lines.push(
      '',
      `${report.quarantined.length} record(s) quarantined or failed, with reasons (accounted for):`,
      ...report.quarantined.map((q) => `  ${q.entity} ${q.sourceId}: ${q.reason}`),
    );
  if (report.cleaned.length > 0)
    lines.push(
      '',
      `${report.cleaned.length} record(s) skipped or merged by the plan's cleaning rules (accounted for):`,
      ...report.cleaned.map((c) => `  ${c.entity} ${c.sourceId}: ${c.reason}`),
    );
  if (report.knownLosses.length > 0)
    lines.push(
      '',
      'Known losses (fields the destination cannot hold):',
      ...report.knownLosses.map((k) => `  ${k.entity}.${k.field}: ${k.reason}`),
    );
  lines.push(
    '',
    report.differences.length === 0
      ? 'No differences.'
      : `${report.differences.length} difference(s) to look at:`,
  );
  for (const d of report.differences) {
    const where = `${d.entity} source ${d.sourceId ?? '(none)'} → destination ${d.destinationId ?? '(none)'}`;
    lines.push(
      d.field === null
        ? `  ${where}: record ${d.source === null ? 'only in the destination' : 'missing in the destination'}`
        : `  ${where}: ${d.field} was ${JSON.stringify(d.source)}, is ${JSON.stringify(d.destination)}`,
    );
  }
  return `${lines.join('\n')}\n`;
}
