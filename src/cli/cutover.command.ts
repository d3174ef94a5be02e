import { writeFileSync } from 'node:fs';
import { SwitchyardError } from '../common/errors';
import { advanceCutover, cutoverReport, type CutoverReport, type CutoverStep } from '../cutover/cutover';
import { duration, runbookHtml, runbookMarkdown } from '../cutover/runbook-document';
import { LedgerRepository } from '../ledger/ledger.repository';
import { EXIT, reportSetupError, withCliContext, withPreparedPlan } from './run-plan';

export interface CutoverCommandOptions {
  planOnly?: boolean;
  html?: string;
  json?: boolean;
  confirm?: 'freeze' | 'switch';
  watchMinutes?: number;
  again?: boolean;
}

/**
 * `switchyard cutover PLAN.yaml [--plan-only [--html FILE]] [--confirm freeze|switch] [--watch-minutes N] [--json]`:
 * exit 0 completed or waiting for the operator, 3 stopped at a failed step, 2 bad plan or confirmation.
 */
export function runCutoverCommand(planPath: string, options: CutoverCommandOptions): Promise<number> {
  return withPreparedPlan(planPath, (prepared) =>
    withCliContext(async (app, signal) => {
      const route = `${prepared.plan.source.platform} (${prepared.plan.source.url}) → ${prepared.plan.destination.platform} (${prepared.plan.destination.url}), entities ${prepared.entities.join(', ')}`;
      try {
        const ledger = app.get(LedgerRepository);
        const report = options.planOnly
          ? await cutoverReport(prepared, ledger, { next: true })
          : await advanceCutover(prepared, ledger, {
              confirm: options.confirm,
              watchMinutes: options.watchMinutes,
              again: options.again,
              signal,
              onStep: options.json ? undefined : (step) => process.stdout.write(stepLine(step)),
            });
        if (options.html) writeFileSync(options.html, runbookHtml(report, route));
        if (options.json) process.stdout.write(`${JSON.stringify(report)}\n`);
        else if (options.planOnly) process.stdout.write(runbookMarkdown(report, route));
        else process.stdout.write(closing(report));
        return report.status === 'stopped' ? EXIT.withErrors : EXIT.ok;
      } catch (error) {
        if (error instanceof SwitchyardError) return reportSetupError(error);
        throw error;
      }
    }),
  );
}

function stepLine(step: CutoverStep): string {
  if (step.status === 'running')
    return `\n▶ ${step.title}: ${step.action}\n  expected: ${duration(step.expectedMs)}${step.expectedFrom ? ` (from ${step.expectedFrom})` : ''}; succeeds if: ${step.criterion}\n`;
  return `  ${step.status === 'passed' ? '✓' : '✗'} ${step.title}${step.durationMs ? ` in ${(step.durationMs / 1000).toFixed(1)} s` : ''}: ${step.outcome ?? ''}\n`;
}

function closing(report: CutoverReport): string {
  const at = report.steps.find((step) => step.name === report.at);
  if (report.status === 'completed')
    return '\nCutover completed: switched, and the old system watched. `cutover --again` starts another.\n';
  if (report.status === 'waiting' && at) return `\nWaiting for the operator at "${at.title}": ${at.action}\n`;
  if (report.status === 'stopped' && at)
    return `\nStopped at "${at.title}": ${at.outcome ?? ''}\nRollback: ${at.rollback}\nRun the cutover again to try the step again.\n`;
  return `\nCutover ${report.status}.\n`;
}
