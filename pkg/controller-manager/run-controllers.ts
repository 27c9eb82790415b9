// Runs the enabled controllers for one term. A controller whose loop throws is a controller that
// stopped working: rather than live on as a leader that does nothing for its kind, the term ends
// (the other controllers stop too) and the process exits non-zero, so a standby takes the Lease.
import type { Logger } from 'pino';
import type { Controller } from '../controller/framework/index.js';

export interface NamedController {
  readonly name: string;
  readonly controller: Controller;
}

/** Resolves when every controller returned; `onFailure` is called once, for the first that threw. */
export async function runControllers(controllers: readonly NamedController[], leading: AbortSignal, log: Logger, onFailure: (name: string) => void): Promise<void> {
  const term = new AbortController();
  const stop = (): void => term.abort();
  if (leading.aborted) stop();
  else leading.addEventListener('abort', stop, { once: true });
  let failed = false;
  try {
    await Promise.all(
      controllers.map(async ({ name, controller }) => {
        try {
          await controller.run(term.signal);
        } catch (err) {
          log.error({ controller: name, err: err instanceof Error ? (err.stack ?? err.message) : String(err) }, 'controller stopped with an error; ending this term');
          if (!failed) {
            failed = true;
            onFailure(name);
          }
          term.abort();
        }
      }),
    );
  } finally {
    leading.removeEventListener('abort', stop);
  }
}
