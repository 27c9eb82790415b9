// The remote command protocol of exec and attach over WebSocket, as kubectl v1.32 speaks it
// (k8s.io/apimachinery/pkg/util/remotecommand): each binary message starts with its channel —
// 0 stdin, 1 stdout, 2 stderr, 3 the final Status (JSON), 4 terminal resize (JSON {Width, Height});
// v5 adds 255, which half-closes the channel named by the next byte (stdin's end of file).
export const STREAM_PROTOCOL_V5 = 'v5.channel.k8s.io';
export const STREAM_PROTOCOL_V4 = 'v4.channel.k8s.io';

export const Channel = {
  stdin: 0,
  stdout: 1,
  stderr: 2,
  error: 3,
  resize: 4,
  close: 255,
} as const;

/** The protocol to speak: the first of ours the client offered, or undefined. */
export function negotiate(offered: ReadonlySet<string>, supported: readonly string[]): string | undefined {
  return supported.find((p) => offered.has(p));
}

/** A message on `channel`. */
export const frame = (channel: number, data: Buffer | string): Buffer => Buffer.concat([Buffer.from([channel]), typeof data === 'string' ? Buffer.from(data) : data]);

/** The Status a session ends with: Success, or upstream's NonZeroExitCode (kubectl exits with that code). */
export function exitStatus(exitCode: number, cmd: readonly string[]): object {
  if (exitCode === 0) return { metadata: {}, status: 'Success' };
  return {
    metadata: {},
    status: 'Failure',
    message: `command terminated with non-zero exit code: error executing command [${cmd.join(' ')}], exit code ${exitCode}`,
    reason: 'NonZeroExitCode',
    details: { causes: [{ reason: 'ExitCode', message: String(exitCode) }] },
  };
}

/** The Status of a session that could not run (the container is gone, the command is unknown...). */
export const failureStatus = (message: string): object => ({ metadata: {}, status: 'Failure', message, reason: 'InternalError', code: 500 });
