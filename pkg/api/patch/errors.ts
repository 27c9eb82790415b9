// Typed failures of the patch engines. Each carries the HTTP code kube-apiserver answers with, so
// the handler can build the Status without knowing which engine failed or why.

export type PatchErrorCode = 400 | 413 | 422 | 500;

const GENERIC_422 = 'the server rejected our request due to an error in our request';

export class PatchError extends Error {
  override readonly name = 'PatchError';
  constructor(
    message: string,
    /** 400 malformed patch, 413 too many operations, 422 patch does not apply, 500 anything else. */
    readonly code: PatchErrorCode,
  ) {
    super(message);
  }

  /** The Status reason upstream reports for this code ('' is StatusReasonUnknown). */
  get reason(): 'BadRequest' | 'RequestEntityTooLarge' | 'Invalid' | '' {
    switch (this.code) {
      case 400:
        return 'BadRequest';
      case 413:
        return 'RequestEntityTooLarge';
      case 422:
        return 'Invalid';
      default:
        return '';
    }
  }

  /**
   * The Status message upstream sends. A 422 from the patch engines goes through
   * NewGenericServerResponse, which replaces the detail by a fixed sentence.
   */
  get statusMessage(): string {
    if (this.code === 422) return GENERIC_422;
    if (this.code === 413) return `Request entity too large: ${this.message}`;
    return this.message;
  }
}

export function badRequest(message: string): PatchError {
  return new PatchError(message, 400);
}

export function unprocessable(message: string): PatchError {
  return new PatchError(message, 422);
}

export function internal(message: string): PatchError {
  return new PatchError(message, 500);
}
