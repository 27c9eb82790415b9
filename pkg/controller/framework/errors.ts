// Classifying API errors the way controllers branch on them (apierrors.IsNotFound & co.).
import { StatusError } from '../../api/errors.js';
import { ConnectionError } from '../../client/errors.js';

const codeOf = (err: unknown): number | undefined => (err instanceof StatusError ? err.code : undefined);

export const isNotFound = (err: unknown): boolean => codeOf(err) === 404;
export const isConflict = (err: unknown): boolean => codeOf(err) === 409 && (err as StatusError).status.reason !== 'AlreadyExists';
export const isAlreadyExists = (err: unknown): boolean => codeOf(err) === 409 && (err as StatusError).status.reason === 'AlreadyExists';
export const isInvalid = (err: unknown): boolean => codeOf(err) === 422;
/** The namespace is being deleted: creates in it are refused with 403 NamespaceTerminating. */
export const isNamespaceTerminating = (err: unknown): boolean => codeOf(err) === 403 && (err as StatusError).status.details?.causes?.some((c) => c.reason === 'NamespaceTerminating') === true;

/**
 * The write may have happened: the server timed out finishing it (504 Timeout), or the answer
 * was lost after the request went out. Upstream keeps the expectation of such a create and lets
 * the watch decide, so a slow reply never makes a controller create twice.
 */
export const isTimeout = (err: unknown): boolean => codeOf(err) === 504 || (err instanceof ConnectionError && err.maybeSent);
