// One node's hostpath CSI driver process: the driver on its socket and, with --provision, the
// node's external provisioner fed by claim, volume and class informers (resynced every 30 s, as a
// level-triggered loop should be), as upstream runs the driver and its sidecars in one pod.
import type { Logger } from 'pino';
import { persistentVolumeResource, type PersistentVolume } from '../../api/core/v1/persistentvolume.js';
import { persistentVolumeClaimResource, type PersistentVolumeClaim } from '../../api/core/v1/persistentvolumeclaim.js';
import { defaultStorageClassName, isDefaultStorageClassAnnotation, storageClassResource, type StorageClass } from '../../api/storage/v1/storageclass.js';
import { isAlreadyExists } from '../../controller/framework/errors.js';
import type { DeepReadonly } from '../../client/informer/index.js';
import { restOptionsFromFlags } from '../../cli/client.js';
import { EventRecorder } from '../../client/events.js';
import { SharedInformerFactory } from '../../client/informer/index.js';
import { RestClient } from '../../client/rest.js';
import { CsiClient } from '../client.js';
import { NodeProvisioner } from '../provisioner/provisioner.js';
import { HOSTPATH_DRIVER_NAME } from './driver.js';
import type { CsiHostPathFlags } from './options.js';
import { startCsiDriverServer } from './server.js';

const RESYNC_MS = 30_000;

/**
 * What the driver's deployment installs with it upstream: its CSIDriver object and, when asked and
 * the cluster has no default class, a default StorageClass of the driver (kind's `standard`). Each
 * is created only when missing, so an object a user changed stays as they left it.
 */
async function ensureDriverObjects(client: RestClient, classes: readonly DeepReadonly<StorageClass>[], defaultClass: string, log: Logger, signal: AbortSignal): Promise<void> {
  const create = async (path: string, body: unknown): Promise<void> => {
    try {
      await client.request({ method: 'POST', path, body, signal });
    } catch (err) {
      if (!isAlreadyExists(err)) log.warn({ path, err: err instanceof Error ? err.message : String(err) }, 'could not create');
    }
  };
  await create('/apis/storage.k8s.io/v1/csidrivers', {
    apiVersion: 'storage.k8s.io/v1',
    kind: 'CSIDriver',
    metadata: { name: HOSTPATH_DRIVER_NAME },
    spec: { attachRequired: false, podInfoOnMount: false, volumeLifecycleModes: ['Persistent'] },
  });
  if (defaultClass === '' || defaultStorageClassName(classes as StorageClass[]) !== undefined) return;
  await create('/apis/storage.k8s.io/v1/storageclasses', {
    apiVersion: 'storage.k8s.io/v1',
    kind: 'StorageClass',
    metadata: { name: defaultClass, annotations: { [isDefaultStorageClassAnnotation]: 'true' } },
    provisioner: HOSTPATH_DRIVER_NAME,
    reclaimPolicy: 'Delete',
    volumeBindingMode: 'WaitForFirstConsumer',
  });
}

export async function runCsiHostPath(flags: CsiHostPathFlags, log: Logger, signal: AbortSignal): Promise<number> {
  const server = await startCsiDriverServer(flags.endpoint, { nodeId: flags.nodeId, stateDir: flags.stateDir });
  log.info({ endpoint: server.endpoint, driver: HOSTPATH_DRIVER_NAME, node: flags.nodeId }, 'CSI driver serving');
  let client: RestClient | undefined;
  let csi: CsiClient | undefined;
  try {
    if (flags.provision) {
      client = new RestClient({ ...restOptionsFromFlags(flags), component: 'csi-provisioner' });
      csi = new CsiClient(server.endpoint);
      const informers = new SharedInformerFactory(client, { logger: log });
      const claims = informers.forResource<PersistentVolumeClaim>(persistentVolumeClaimResource);
      const volumes = informers.forResource<PersistentVolume>(persistentVolumeResource);
      const classes = informers.forResource<StorageClass>(storageClassResource);
      const events = new EventRecorder({ client, controller: HOSTPATH_DRIVER_NAME, instance: `${HOSTPATH_DRIVER_NAME}_${flags.nodeId}`, onError: (err) => log.debug({ err: err instanceof Error ? err.message : String(err) }, 'event dropped') });
      const provisioner = new NodeProvisioner({ driverName: HOSTPATH_DRIVER_NAME, nodeName: flags.nodeId, csi, client, claims: claims.lister(), volumes: volumes.lister(), classes: classes.lister(), events, log });
      claims.addEventHandler({ onAdd: (c) => void provisioner.syncClaim(c, signal), onUpdate: (_o, c) => void provisioner.syncClaim(c, signal), onDelete: () => undefined });
      volumes.addEventHandler({ onAdd: (v) => void provisioner.syncVolume(v, signal), onUpdate: (_o, v) => void provisioner.syncVolume(v, signal), onDelete: () => undefined });
      informers.start(signal);
      if (await informers.waitForCacheSync(signal)) {
        await ensureDriverObjects(client, classes.lister().list(), flags.defaultStorageClass, log, signal);
        log.info({ node: flags.nodeId }, 'provisioner running');
        const resync = setInterval(() => void provisioner.syncAll(signal), RESYNC_MS);
        signal.addEventListener('abort', () => clearInterval(resync), { once: true });
      }
    }
    await new Promise<void>((resolve) => (signal.aborted ? resolve() : signal.addEventListener('abort', () => resolve(), { once: true })));
    return 0;
  } finally {
    csi?.close();
    client?.close();
    await server.stop();
  }
}
