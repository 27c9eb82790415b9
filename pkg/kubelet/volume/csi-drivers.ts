// The CSI drivers of a node, found where upstream's kubelet finds their sockets:
// <root-dir>/plugins/<driver name>/csi.sock. A driver is asked for by name when a volume of it is
// set up; its client is kept for the next one.
import { existsSync } from 'node:fs';
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

  close(): void {
    for (const c of this.clients.values()) c.close();
    this.clients.clear();
  }
}
