// The CSI drivers of a node, found where upstream's kubelet finds their sockets:
// <root-dir>/plugins/<driver name>/csi.sock. A driver is asked for by name when a volume of it is
// set up; its client is kept for the next one.
import { existsSync } from 'node:fs';
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { CSINodeDriver } from '../../api/storage/v1/csinode.js';
import { CsiClient } from '../../csi/client.js';
import { csiSocketUnder } from '../../csi/hostpath/driver.js';

export class CsiDrivers {
  private readonly clients = new Map<string, CsiClient>();

  constructor(private readonly rootDir: string) {}

  /** The driver's client, or undefined when no socket of that name is there. */
  get(name: string): CsiClient | undefined {
    if (name === '' || name.includes('/') || name.startsWith('.')) return undefined;
    const socket = csiSocketUnder(this.rootDir, name);
    const known = this.clients.get(name);
    if (!existsSync(socket)) return undefined;
    if (known !== undefined) return known;
    const client = new CsiClient(`unix://${socket}`);
    this.clients.set(name, client);
    return client;
  }

  /**
   * The drivers whose sockets are there and answer, as the CSINode object lists them: the name the
   * driver gives itself, its ID for this node and its topology keys (sorted by name).
   */
  async registered(signal?: AbortSignal): Promise<CSINodeDriver[]> {
    const out: CSINodeDriver[] = [];
    for (const dir of await readdir(join(this.rootDir, 'plugins')).catch(() => [] as string[])) {
      const client = this.get(dir);
      if (client === undefined) continue;
      try {
        const info = await client.getPluginInfo(signal);
        const node = await client.nodeGetInfo(signal);
        const max = Number(node.maxVolumesPerNode);
        out.push({
          name: info.name,
          nodeID: node.nodeId,
          topologyKeys: Object.keys(node.accessibleTopology?.segments ?? {}).sort(),
          ...(max > 0 ? { allocatable: { count: max } } : {}),
        });
      } catch {
        // Not answering yet (starting, or gone): listed once it answers.
      }
    }
    return out.sort((a, b) => (a.name ?? '').localeCompare(b.name ?? ''));
  }

  close(): void {
    for (const c of this.clients.values()) c.close();
    this.clients.clear();
  }
}
