// Outcome of a plugin call. Expected rejections are values, never exceptions; Error is for bugs.

export type Code = 'Success' | 'Error' | 'Unschedulable' | 'UnschedulableAndUnresolvable' | 'Wait' | 'Skip' | 'Pending';

export interface Status {
  readonly code: Code;
  readonly reasons: readonly string[];
  /** The plugin that produced the status, filled in by the framework. */
  readonly plugin?: string;
}

export const SUCCESS: Status = Object.freeze({ code: 'Success', reasons: Object.freeze([]) as readonly string[] });
export const SKIP: Status = Object.freeze({ code: 'Skip', reasons: Object.freeze([]) as readonly string[] });

export function newStatus(code: Code, ...reasons: string[]): Status {
  return code === 'Success' && reasons.length === 0 ? SUCCESS : { code, reasons };
}

export const errorStatus = (message: string): Status => ({ code: 'Error', reasons: [message] });

export const isSuccess = (s: Status | undefined): boolean => s === undefined || s.code === 'Success';

/** Unschedulable, UnschedulableAndUnresolvable or Pending: the pod cannot go there, and that is not a bug. */
export const isRejected = (s: Status | undefined): boolean =>
  s !== undefined && (s.code === 'Unschedulable' || s.code === 'UnschedulableAndUnresolvable' || s.code === 'Pending');

/** The reasons joined as upstream's Status.Message(). */
export const statusMessage = (s: Status | undefined): string => (s ? s.reasons.join(', ') : '');

export const withPlugin = (s: Status, plugin: string): Status => (s.plugin === plugin ? s : { ...s, plugin });
