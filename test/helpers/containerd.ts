// Whether tests that need real containers can run here.
import { checkContainerdTools } from '../../pkg/containerd/node.js';

/** Why this machine cannot run containerd (outside CI, where .ci/run installs what it needs and runs as root); undefined when it can. */
export function containerdUnavailable(): string | undefined {
  if (process.env.CI === 'true') return undefined;
  if (process.getuid?.() !== 0) return 'containerd needs root';
  try {
    checkContainerdTools();
    return undefined;
  } catch (err) {
    return (err as Error).message;
  }
}
