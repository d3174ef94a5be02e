/**
 * The cutover runbook: the steps of switching a live business, each with what it does, how success is judged
 * and how it is undone. The same text is shown before the day (`cutover --plan-only`), before each step runs
 * and in the record of how it went.
 */
export type StepName =
  'rehearse' | 'bulk_load' | 'catch_up' | 'freeze' | 'final_delta' | 'validate' | 'switch' | 'watch';

export interface StepDefinition {
  name: StepName;
  title: string;
  action: string;
  criterion: string;
  rollback: string;
  /** The operator's confirmation is the step: `cutover PLAN --confirm <name>`. */
  confirm?: boolean;
}

export const RUNBOOK: StepDefinition[] = [
  {
    name: 'rehearse',
    title: 'Rehearse',
    action:
      'A dry run of the full migration: every source record read, mapped and looked up in the destination; nothing written. Its timing sets the expected duration of the bulk load.',
    criterion: 'The dry run completes and predicts no record quarantined or failed.',
    rollback:
      'Nothing to undo: a dry run writes nothing. Fix the source or the plan, then run the cutover again.',
  },
  {
    name: 'bulk_load',
    title: 'Bulk load',
    action: 'The full migration, while the source stays live and keeps trading.',
    criterion: 'The run completes with every record loaded: none quarantined or failed.',
    rollback: 'switchyard rollback PLAN --run <this step’s run>: the destination as it was before.',
  },
  {
    name: 'catch_up',
    title: 'Catch-up delta',
    action: 'A delta run: what the source changed while the bulk load ran (with the plan’s overlap).',
    criterion: 'The delta completes with none quarantined or failed.',
    rollback: 'switchyard rollback PLAN --run <this step’s run>.',
  },
  {
    name: 'freeze',
    title: 'Freeze the source',
    confirm: true,
    action:
      'The operator makes the source read-only (maintenance mode, write access revoked) and confirms: switchyard cutover PLAN --confirm freeze.',
    criterion: 'The operator confirmed that the source takes no more writes.',
    rollback: 'Lift the freeze: the source takes writes again, and the business stays on it.',
  },
  {
    name: 'final_delta',
    title: 'Final delta',
    action: 'A last delta run on the frozen source: the destination catches up completely.',
    criterion: 'The delta completes with none quarantined or failed.',
    rollback: 'switchyard rollback PLAN --run <this step’s run>, then lift the freeze.',
  },
  {
    name: 'validate',
    title: 'Validate',
    action:
      'Reconcile source, ledger and destination: counts per category, totals, references and every field.',
    criterion: 'Reconcile passes: no difference.',
    rollback:
      'Do not switch. Lift the freeze and stay on the source; switchyard migrate PLAN --repair rewrites the differences, then run the cutover again.',
  },
  {
    name: 'switch',
    title: 'Switch',
    confirm: true,
    action:
      'The operator points the business at the destination (domains, integrations, staff) and confirms: switchyard cutover PLAN --confirm switch.',
    criterion: 'The operator confirmed the switch.',
    rollback: 'Point the business back at the source, lift the freeze, and roll back the runs, newest first.',
  },
  {
    name: 'watch',
    title: 'Watch the old system',
    action:
      'Delta runs from the old system for the watch period: any change someone still made there after the switch is carried over and listed.',
    criterion: 'Every watch delta completes; each change found in the old system is listed.',
    rollback:
      'Nothing to undo: the changes listed were carried over; tell whoever still works in the old system.',
  },
];

export const stepDefinition = (name: StepName) => RUNBOOK.find((step) => step.name === name)!;
