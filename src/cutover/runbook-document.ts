import { scalarText } from '../common/text';
import type { CutoverReport, CutoverStep } from './cutover';

/** A duration as a person reads it: `12 s`, `4 min`; a step never measured says so. */
export const duration = (ms: number | null) =>
  ms === null
    ? 'not measured yet'
    : ms < 60_000
      ? `${Math.max(1, Math.round(ms / 1000))} s`
      : `${Math.round(ms / 60_000)} min`;

const expected = (step: CutoverStep) =>
  step.confirm
    ? 'the operator'
    : `${duration(step.expectedMs)}${step.expectedFrom ? ` (from ${step.expectedFrom})` : ''}`;

const recorded = (step: CutoverStep) =>
  step.status === 'pending'
    ? ''
    : `${step.status}${step.durationMs !== null ? `, ${duration(step.durationMs)}` : ''}${step.outcome ? `: ${step.outcome}` : ''}`;

/** The runbook as Markdown, for review and sign-off before the day (and, with a cutover, how it went). */
export function runbookMarkdown(report: CutoverReport, route: string): string {
  const cell = (text: string) => text.replace(/\|/g, '\\|').replace(/\n/g, ' ');
  const lines = [
    `# Cutover runbook: ${report.migration}`,
    '',
    `${route}. Status: ${report.status}.`,
    '',
    '| # | Step | What happens | Expected | Success criterion | Rollback | Recorded |',
    '|---|------|--------------|----------|-------------------|----------|----------|',
    ...report.steps.map(
      (step, i) =>
        `| ${i + 1} | ${step.title} | ${cell(step.action)} | ${cell(expected(step))} | ${cell(step.criterion)} | ${cell(step.rollback)} | ${cell(recorded(step))} |`,
    ),
    '',
    'A step whose criterion fails stops the cutover there and offers its rollback; running `switchyard cutover PLAN` again tries that step again.',
    '',
    '## Sign-off',
    '',
    '| Role | Name | Date | Signature |',
    '|------|------|------|-----------|',
    '| Migration lead | | | |',
    '| Business owner | | | |',
    '',
  ];
  return lines.join('\n');
}

const escape = (value: unknown) =>
  scalarText(value).replace(
    /[&<>"']/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!,
  );

/** The same runbook as one self-contained HTML page: no scripts, no external files. */
export function runbookHtml(report: CutoverReport, route: string): string {
  const rows = report.steps
    .map(
      (step, i) =>
        `<tr><td>${i + 1}</td><td><b>${escape(step.title)}</b></td><td>${escape(step.action)}</td><td>${escape(expected(step))}</td><td>${escape(step.criterion)}</td><td>${escape(step.rollback)}</td><td>${escape(recorded(step))}</td></tr>`,
    )
    .join('');
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Cutover runbook: ${escape(report.migration)}</title><style>
body{font:14px/1.45 system-ui,sans-serif;margin:2rem;color:#1d2330;max-width:1200px}table{border-collapse:collapse;width:100%}
th,td{border-bottom:1px solid #e3e6ec;padding:.4rem .5rem;text-align:left;vertical-align:top}th{background:#f4f6f9}
</style></head><body><h1>Cutover runbook: ${escape(report.migration)}</h1><p>${escape(route)}. Status: ${escape(report.status)}.</p>
<table><thead><tr><th>#</th><th>Step</th><th>What happens</th><th>Expected</th><th>Success criterion</th><th>Rollback</th><th>Recorded</th></tr></thead><tbody>${rows}</tbody></table>
<p>A step whose criterion fails stops the cutover there and offers its rollback; running the cutover again tries that step again.</p>
<h2>Sign-off</h2><table><thead><tr><th>Role</th><th>Name</th><th>Date</th><th>Signature</th></tr></thead><tbody>
<tr><td>Migration lead</td><td></td><td></td><td></td></tr><tr><td>Business owner</td><td></td><td></td><td></td></tr></tbody></table></body></html>
`;
}
