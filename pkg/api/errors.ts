// API errors as Kubernetes Status objects. One constructor per reason, with upstream's wording;
// servers throw StatusError, clients get the same classes back from a Status response.
import type { Status } from './meta/v1.js';
import { aggregateMessage, errorBody, type FieldError } from './validation/field.js';

export type StatusReason =
  | 'BadRequest'
  | 'Unauthorized'
  | 'Forbidden'
  | 'NotFound'
  | 'AlreadyExists'
  | 'Conflict'
  | 'Gone'
  | 'Invalid'
  | 'ServerTimeout'
  | 'Timeout'
  | 'TooManyRequests'
  | 'MethodNotAllowed'
  | 'NotAcceptable'
  | 'RequestEntityTooLarge'
  | 'UnsupportedMediaType'
  | 'InternalError'
  | 'Expired'
  | 'ServiceUnavailable'
  | '';

/** The resource an error is about: "pods", or "deployments" in group "apps". */
export interface QualifiedResource {
  readonly group: string;
  readonly resource: string;
}

export class StatusError extends Error {
  override readonly name: string = 'StatusError';
  constructor(readonly status: Status & { code: number; reason?: string; message: string }) {
    super(status.message);
  }
  get code(): number {
    return this.status.code;
  }
  get reason(): string {
    return this.status.reason ?? '';
  }
}

export class NotFoundError extends StatusError {
  override readonly name = 'NotFoundError';
}
export class AlreadyExistsError extends StatusError {
  override readonly name = 'AlreadyExistsError';
}
export class ConflictError extends StatusError {
  override readonly name = 'ConflictError';
}
export class InvalidError extends StatusError {
  override readonly name = 'InvalidError';
}
export class GoneError extends StatusError {
  override readonly name = 'GoneError';
}
export class BadRequestError extends StatusError {
  override readonly name = 'BadRequestError';
}

function status(code: number, reason: StatusReason, message: string, details?: Status['details']): Status & { code: number; reason: string; message: string } {
  // Go omits empty strings in StatusDetails (the core group is "").
  if (details) for (const k of ['name', 'group', 'kind', 'uid'] as const) if (details[k] === '') delete details[k];
  const s: Status & { code: number; reason: string; message: string } = {
    kind: 'Status',
    apiVersion: 'v1',
    metadata: {},
    status: 'Failure',
    message,
    reason,
    code,
  };
  if (details !== undefined) s.details = details;
  return s;
}

/** "pods" or "deployments.apps", as upstream prints a GroupResource. */
export function qualifiedName(r: QualifiedResource): string {
  return r.group === '' ? r.resource : `${r.resource}.${r.group}`;
}

export function notFound(r: QualifiedResource, name: string): NotFoundError {
  return new NotFoundError(status(404, 'NotFound', `${qualifiedName(r)} "${name}" not found`, { name, group: r.group, kind: r.resource }));
}

/** Unknown path or resource type. */
export function resourceNotFound(): NotFoundError {
  return new NotFoundError(status(404, 'NotFound', 'the server could not find the requested resource', {}));
}

export function alreadyExists(r: QualifiedResource, name: string): AlreadyExistsError {
  return new AlreadyExistsError(status(409, 'AlreadyExists', `${qualifiedName(r)} "${name}" already exists`, { name, group: r.group, kind: r.resource }));
}

export function conflict(r: QualifiedResource, name: string, detail: string): ConflictError {
  return new ConflictError(
    status(409, 'Conflict', `Operation cannot be fulfilled on ${qualifiedName(r)} "${name}": ${detail}`, { name, group: r.group, kind: r.resource }),
  );
}

export const OBJECT_MODIFIED = 'the object has been modified; please apply your changes to the latest version and try again';

/** 422 with one cause per field error: `Deployment.apps "web" is invalid: ...`. */
export function invalid(kind: { group: string; kind: string }, name: string, errs: readonly FieldError[]): InvalidError {
  const qualifiedKind = kind.group === '' ? kind.kind : `${kind.kind}.${kind.group}`;
  const causes = errs.map((e) => ({ reason: e.type, message: errorBody(e), field: e.field }));
  return new InvalidError(
    status(422, 'Invalid', `${qualifiedKind} "${name}" is invalid: ${aggregateMessage(errs)}`, { name, group: kind.group, kind: kind.kind, causes }),
  );
}

export function badRequest(message: string): BadRequestError {
  return new BadRequestError(status(400, 'BadRequest', message));
}

export function gone(message: string): GoneError {
  return new GoneError(status(410, 'Expired', message));
}

export function tooOldResourceVersion(requested: string | number, current: string | number): GoneError {
  return gone(`too old resource version: ${requested} (${current})`);
}

export function forbidden(r: QualifiedResource, name: string, reason: string): StatusError {
  const subject = name === '' ? qualifiedName(r) : `${qualifiedName(r)} "${name}"`;
  return new StatusError(status(403, 'Forbidden', `${subject} is forbidden: ${reason}`, { name, group: r.group, kind: r.resource }));
}

export function methodNotSupported(r: QualifiedResource, action: string): StatusError {
  return new StatusError(status(405, 'MethodNotAllowed', `${action} is not supported on resources of kind "${qualifiedName(r)}"`, { group: r.group, kind: r.resource }));
}

export function notAcceptable(message: string): StatusError {
  return new StatusError(status(406, 'NotAcceptable', message));
}

export function unsupportedMediaType(): StatusError {
  return new StatusError(status(415, 'UnsupportedMediaType', `the body of the request was in an unknown format - accepted media types include: application/json, application/yaml, application/apply-patch+yaml, application/json-patch+json, application/merge-patch+json, application/strategic-merge-patch+json`));
}

export function requestEntityTooLarge(message: string): StatusError {
  return new StatusError(status(413, 'RequestEntityTooLarge', `Request entity too large: ${message}`));
}

export function internalError(cause: unknown): StatusError {
  const text = cause instanceof Error ? cause.message : String(cause);
  return new StatusError(status(500, 'InternalError', `Internal error occurred: ${text}`, { causes: [{ message: text }] }));
}

export function serviceUnavailable(message: string): StatusError {
  return new StatusError(status(503, 'ServiceUnavailable', message));
}

export function timeout(message: string, retryAfterSeconds = 1): StatusError {
  return new StatusError(status(504, 'Timeout', `Timeout: ${message}`, { retryAfterSeconds }));
}

export function tooManyRequests(message: string, retryAfterSeconds = 1): StatusError {
  return new StatusError(status(429, 'TooManyRequests', message, { retryAfterSeconds }));
}

/** Rebuilds the typed error from a Status a server sent (client side). */
export function fromStatus(s: Status, httpCode: number): StatusError {
  const full = { ...s, code: s.code ?? httpCode, message: s.message ?? '', reason: s.reason ?? '' };
  switch (full.reason) {
    case 'NotFound':
      return new NotFoundError(full);
    case 'AlreadyExists':
      return new AlreadyExistsError(full);
    case 'Conflict':
      return new ConflictError(full);
    case 'Invalid':
      return new InvalidError(full);
    case 'Expired':
    case 'Gone':
      return new GoneError(full);
    case 'BadRequest':
      return new BadRequestError(full);
    default:
      if (full.code === 410) return new GoneError(full);
      if (full.code === 404) return new NotFoundError(full);
      if (full.code === 409) return new ConflictError(full);
      return new StatusError(full);
  }
}

export function isStatus(v: unknown): v is Status {
  return typeof v === 'object' && v !== null && (v as { kind?: unknown }).kind === 'Status';
}
