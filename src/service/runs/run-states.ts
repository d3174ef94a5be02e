import type { EntityRunStatus, RunStatus } from '../../ledger/ledger.entities';

/** The run state machine, in one place: which transitions each action may make. */
export const RUN_TRANSITIONS = {
  start: { from: ['queued'], to: 'running' },
  pause: { from: ['queued', 'running'], to: 'paused' },
  resume: { from: ['paused'], to: 'running' },
  cancel: { from: ['queued', 'running', 'paused'], to: 'cancelled' },
} as const satisfies Record<string, { from: readonly RunStatus[]; to: RunStatus }>;

export type RunAction = keyof typeof RUN_TRANSITIONS;

/** A run in one of these may still do work; a migration has at most one such run. */
export const ACTIVE_RUN: RunStatus[] = ['queued', 'running', 'paused'];
export const FINISHED_ENTITY: EntityRunStatus[] = ['completed', 'completed_with_errors'];
export const TERMINAL_RUN: RunStatus[] = ['completed', 'completed_with_errors', 'failed', 'cancelled'];
