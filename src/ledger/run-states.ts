import type { EntityRunStatus, RunStatus } from './ledger.entities';

/**
 * The run state machine, in one place, for CLI and service runs alike: which states each action may move a
 * run from, and to which. Every change is a conditional update, so two processes cannot both make one.
 */
export const RUN_TRANSITIONS = {
  /** A worker picks a queued run up (service). */
  start: { from: ['queued'], to: 'running' },
  pause: { from: ['queued', 'running'], to: 'paused' },
  resume: { from: ['paused'], to: 'running' },
  cancel: { from: ['queued', 'running', 'paused'], to: 'cancelled' },
  /** The CLI runs the plan again: an unfinished run (stopped, crashed mid-run or failed) goes on. */
  recover: { from: ['running', 'interrupted', 'failed'], to: 'running' },
  /** Stopped at a page boundary (Ctrl-C), to be recovered later. */
  interrupt: { from: ['running'], to: 'interrupted' },
  /** A run of other entities starts: the unfinished one is left behind, as interrupted. */
  supersede: { from: ['running', 'interrupted', 'failed'], to: 'interrupted' },
  complete: { from: ['queued', 'running', 'paused'], to: 'completed' },
  completeWithErrors: { from: ['queued', 'running', 'paused'], to: 'completed_with_errors' },
  fail: { from: ['queued', 'running', 'paused'], to: 'failed' },
  /** A rollback run that completed undid this one. */
  rollBack: {
    from: ['completed', 'completed_with_errors', 'failed', 'interrupted', 'cancelled'],
    to: 'rolled_back',
  },
} as const satisfies Record<string, { from: readonly RunStatus[]; to: RunStatus }>;

export type RunAction = keyof typeof RUN_TRANSITIONS;

/** The action that ends a run in `status`. */
export const FINISHING: Partial<Record<RunStatus, RunAction>> = {
  completed: 'complete',
  completed_with_errors: 'completeWithErrors',
  failed: 'fail',
  interrupted: 'interrupt',
  cancelled: 'cancel',
};

/** A run in one of these may still do work; a migration has at most one such run (service). */
export const ACTIVE_RUN: RunStatus[] = ['queued', 'running', 'paused'];
export const FINISHED_ENTITY: EntityRunStatus[] = ['completed', 'completed_with_errors'];
export const TERMINAL_RUN: RunStatus[] = [
  'completed',
  'completed_with_errors',
  'failed',
  'cancelled',
  'rolled_back',
];
