// Client-side errors: transport failures, undecodable watch data, and the mapping of an HTTP error
// response to the typed Status errors of pkg/api/errors.ts.
import { fromStatus, isStatus, type StatusError } from '../api/errors.js';
import type { Status } from '../api/meta/v1.js';

/** Connect-phase failures: the request never left this process, so even a write may be retried. */
const NOT_SENT_CODES = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH', 'EADDRNOTAVAIL', 'ECONNECT_TIMEOUT']);

/** No HTTP response came back from `server` (refused, reset, timed out, TLS failure ...). */
export class ConnectionError extends Error {
  override readonly name = 'ConnectionError';
  /** errno-style code: ECONNREFUSED, ECONNRESET, ETIMEDOUT, ECONNECT_TIMEOUT, ... */
  readonly code: string;
  readonly server: string;
  /** True when the request may have reached the server (so a write might have happened). */
  readonly maybeSent: boolean;
  constructor(opts: { server: string; code: string; maybeSent: boolean; message?: string; cause?: unknown }) {
    super(opts.message ?? `${opts.server}: ${opts.code}`, opts.cause === undefined ? undefined : { cause: opts.cause });
    this.code = opts.code;
    this.server = opts.server;
    this.maybeSent = opts.maybeSent && !NOT_SENT_CODES.has(opts.code);
  }
}

/** A watch stream carried a line that is not a watch event. */
export class WatchDecodeError extends Error {
  override readonly name = 'WatchDecodeError';
  constructor(
    message: string,
    readonly line: string,
    opts?: { cause?: unknown },
  ) {
    super(message, opts);
  }
}

/** Which object a request is about, so generic error messages read "(get pods web)". */
export interface RequestSubject {
  readonly group: string;
  readonly resource: string;
  readonly name?: string;
}

const MAX_SERVER_MESSAGE = 1024;

/** Upstream's texts for error responses that carry no Status body. */
function genericMessage(code: number, serverMessage: string): { reason: string; message: string } {
  switch (code) {
    case 400:
      return { reason: 'BadRequest', message: 'the server rejected our request for an unknown reason' };
    case 401:
      return { reason: 'Unauthorized', message: 'the server has asked for the client to provide credentials' };
    case 403:
      return { reason: 'Forbidden', message: serverMessage };
    case 404:
      return { reason: 'NotFound', message: 'the server could not find the requested resource' };
    case 405:
      return { reason: 'MethodNotAllowed', message: 'the server does not allow this method on the requested resource' };
    case 409:
      return { reason: 'Conflict', message: 'the server reported a conflict' };
    case 422:
      return { reason: 'Invalid', message: 'the server rejected our request due to an error in our request' };
    case 429:
      return { reason: 'TooManyRequests', message: 'the server has received too many requests and has asked us to try again later' };
    case 504:
      return { reason: 'Timeout', message: 'the server was unable to return a response in the time allotted, but may still be processing the request' };
    default:
      if (code >= 500) {
        return { reason: 'InternalError', message: `an error on the server (${JSON.stringify(serverMessage)}) has prevented the request from succeeding` };
      }
      return { reason: '', message: `the server responded with the status code ${code} but did not return more information` };
  }
}

/** Parses a Retry-After header holding whole seconds (the only form the apiserver sends). */
export function parseRetryAfter(header: string | string[] | undefined): number | undefined {
  const v = Array.isArray(header) ? header[0] : header;
  if (v === undefined || !/^\s*\d+\s*$/.test(v)) return undefined;
  return Number(v);
}

/**
 * The typed error for a non-2xx response: a Status body becomes its reason's class; any other body
 * becomes a StatusError with upstream's generic message for the HTTP code.
 */
export function errorFromResponse(opts: {
  code: number;
  body: Buffer;
  contentType: string | undefined;
  method: string;
  retryAfterSeconds?: number;
  subject?: RequestSubject;
}): StatusError {
  const text = opts.body.toString('utf8');
  let parsed: unknown;
  if (text.trim() !== '') {
    try {
      parsed = JSON.parse(text);
    } catch {
      // Not JSON (a proxy's HTML page, plain text): handled as a body without Status below.
      parsed = undefined;
    }
  }
  if (isStatus(parsed)) {
    const s: Status = { ...parsed };
    if (opts.retryAfterSeconds !== undefined && s.details?.retryAfterSeconds === undefined) {
      s.details = { ...s.details, retryAfterSeconds: opts.retryAfterSeconds };
    }
    return fromStatus(s, opts.code);
  }
  const serverMessage = text.trim().slice(0, MAX_SERVER_MESSAGE);
  let { reason, message } = genericMessage(opts.code, serverMessage);
  if (opts.code === 409 && opts.method === 'POST') reason = 'AlreadyExists';
  const subj = opts.subject;
  if (subj !== undefined && subj.resource !== '') {
    const qualified = subj.group === '' ? subj.resource : `${subj.resource}.${subj.group}`;
    const suffix = subj.name !== undefined && subj.name !== '' ? ` ${subj.name}` : '';
    message = `${message} (${opts.method.toLowerCase()} ${qualified}${suffix})`;
  }
  const details: NonNullable<Status['details']> = {};
  if (subj !== undefined) {
    details.group = subj.group;
    details.kind = subj.resource;
    if (subj.name !== undefined) details.name = subj.name;
  }
  if (serverMessage !== '') details.causes = [{ reason: 'UnexpectedServerResponse', message: serverMessage }];
  if (opts.retryAfterSeconds !== undefined) details.retryAfterSeconds = opts.retryAfterSeconds;
  return fromStatus({ kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', code: opts.code, reason, message, details }, opts.code);
}
