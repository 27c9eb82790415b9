// Kubeconfig loading as kubectl does it: an explicit file, else the $KUBECONFIG list merged (the
// first file to define a name or current-context wins), else ~/.kube/config. The chosen context
// resolves to RestClientOptions: servers, TLS material and credentials.
import { existsSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { delimiter, dirname, isAbsolute, join, resolve } from 'node:path';
import { parse as parseYaml } from 'yaml';
import type { RestClientOptions } from './rest.js';

/** Cluster extension listing extra apiserver URLs for failover; kubectl ignores it. */
export const SERVERS_EXTENSION = 'kubets.io/servers';

export interface KubeconfigCluster {
  readonly server?: string;
  readonly 'certificate-authority'?: string;
  readonly 'certificate-authority-data'?: string;
  readonly 'insecure-skip-tls-verify'?: boolean;
  readonly 'tls-server-name'?: string;
  readonly extensions?: readonly { readonly name: string; readonly extension?: unknown }[];
}

export interface KubeconfigUser {
  readonly token?: string;
  readonly tokenFile?: string;
  readonly username?: string;
  readonly password?: string;
  readonly 'client-certificate'?: string;
  readonly 'client-certificate-data'?: string;
  readonly 'client-key'?: string;
  readonly 'client-key-data'?: string;
  /** Credential plugins: recognised only to report that kubets does not run them. */
  readonly exec?: unknown;
  readonly 'auth-provider'?: unknown;
}

export interface KubeconfigContext {
  readonly cluster?: string;
  readonly user?: string;
  readonly namespace?: string;
}

/** Named entries remember the file they came from: relative paths are relative to it. */
export interface Named<T> {
  readonly name: string;
  readonly value: T;
  readonly origin: string;
}

/** A kubeconfig, possibly merged from several files. */
export interface Kubeconfig {
  readonly currentContext: string;
  readonly clusters: ReadonlyMap<string, Named<KubeconfigCluster>>;
  readonly users: ReadonlyMap<string, Named<KubeconfigUser>>;
  readonly contexts: ReadonlyMap<string, Named<KubeconfigContext>>;
  /** Files that were read, in precedence order. */
  readonly files: readonly string[];
}

/** The result of choosing a context: ready to spread into `new RestClient({...})`. */
export interface ResolvedKubeconfig extends RestClientOptions {
  readonly contextName: string;
  readonly clusterName: string;
  readonly userName: string;
  readonly namespace: string;
  readonly servers: readonly string[];
  readonly insecureSkipTLSVerify: boolean;
}

export interface LoadOptions {
  /** A kubeconfig file to read instead of $KUBECONFIG / ~/.kube/config (must exist). */
  readonly path?: string;
  /** Context to use instead of current-context. */
  readonly context?: string;
  /** Overrides of the context's cluster and user (kubectl --cluster, --user). */
  readonly cluster?: string;
  readonly user?: string;
  /** Overrides of the environment, for tests. */
  readonly env?: Readonly<Record<string, string | undefined>>;
  readonly home?: string;
}

export class KubeconfigError extends Error {
  override readonly name = 'KubeconfigError';
}

const NO_CONFIG = 'invalid configuration: no configuration has been provided, try setting KUBERNETES_MASTER environment variable';

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function namedList<T>(doc: Record<string, unknown>, listKey: string, itemKey: string, origin: string): Named<T>[] {
  const list = doc[listKey];
  if (list === undefined || list === null) return [];
  if (!Array.isArray(list)) throw new KubeconfigError(`error loading config file "${origin}": ${listKey} must be a list`);
  const out: Named<T>[] = [];
  for (const item of list) {
    if (!isRecord(item) || typeof item['name'] !== 'string') {
      throw new KubeconfigError(`error loading config file "${origin}": every entry of ${listKey} needs a name`);
    }
    const value = item[itemKey] ?? {};
    if (!isRecord(value)) throw new KubeconfigError(`error loading config file "${origin}": ${listKey} entry "${item['name']}" has no ${itemKey} map`);
    out.push({ name: item['name'], value: value as T, origin });
  }
  return out;
}

/** Parses one kubeconfig document; `origin` is the file path used for relative paths and messages. */
export function parseKubeconfig(text: string, origin: string): Kubeconfig {
  let doc: unknown;
  try {
    doc = parseYaml(text);
  } catch (err: unknown) {
    const msg = err instanceof Error ? err.message.split('\n')[0] : String(err);
    throw new KubeconfigError(`error loading config file "${origin}": ${msg}`, { cause: err });
  }
  if (doc === null || doc === undefined) doc = {};
  if (!isRecord(doc)) throw new KubeconfigError(`error loading config file "${origin}": not a kubeconfig mapping`);
  const toMap = <T>(items: Named<T>[]): Map<string, Named<T>> => {
    const m = new Map<string, Named<T>>();
    for (const it of items) if (!m.has(it.name)) m.set(it.name, it);
    return m;
  };
  const cc = doc['current-context'];
  return {
    currentContext: typeof cc === 'string' ? cc : '',
    clusters: toMap(namedList<KubeconfigCluster>(doc, 'clusters', 'cluster', origin)),
    users: toMap(namedList<KubeconfigUser>(doc, 'users', 'user', origin)),
    contexts: toMap(namedList<KubeconfigContext>(doc, 'contexts', 'context', origin)),
    files: [origin],
  };
}

/** Merges configs in precedence order: the first to define a name, or a current-context, wins. */
export function mergeKubeconfigs(configs: readonly Kubeconfig[]): Kubeconfig {
  const clusters = new Map<string, Named<KubeconfigCluster>>();
  const users = new Map<string, Named<KubeconfigUser>>();
  const contexts = new Map<string, Named<KubeconfigContext>>();
  let currentContext = '';
  const files: string[] = [];
  for (const c of configs) {
    if (currentContext === '') currentContext = c.currentContext;
    for (const [k, v] of c.clusters) if (!clusters.has(k)) clusters.set(k, v);
    for (const [k, v] of c.users) if (!users.has(k)) users.set(k, v);
    for (const [k, v] of c.contexts) if (!contexts.has(k)) contexts.set(k, v);
    files.push(...c.files);
  }
  return { currentContext, clusters, users, contexts, files };
}

/** The files kubectl would read, in precedence order, and whether they must exist. */
export function kubeconfigPaths(opts: Pick<LoadOptions, 'path' | 'env' | 'home'> = {}): { paths: string[]; mustExist: boolean } {
  if (opts.path !== undefined && opts.path !== '') return { paths: [opts.path], mustExist: true };
  const env = opts.env ?? process.env;
  const list = env['KUBECONFIG'];
  if (list !== undefined && list !== '') {
    const paths = [...new Set(list.split(delimiter).filter((p) => p !== ''))];
    return { paths, mustExist: false };
  }
  return { paths: [join(opts.home ?? homedir(), '.kube', 'config')], mustExist: false };
}

/** Reads and merges the kubeconfig files (missing $KUBECONFIG entries are skipped, as kubectl does). */
export function readKubeconfig(opts: Pick<LoadOptions, 'path' | 'env' | 'home'> = {}): Kubeconfig {
  const { paths, mustExist } = kubeconfigPaths(opts);
  const configs: Kubeconfig[] = [];
  for (const p of paths) {
    if (!mustExist && !existsSync(p)) continue;
    let text: string;
    try {
      text = readFileSync(p, 'utf8');
    } catch (err: unknown) {
      const code = typeof err === 'object' && err !== null && (err as { code?: unknown }).code === 'ENOENT' ? 'no such file or directory' : err instanceof Error ? err.message : String(err);
      throw new KubeconfigError(`stat ${p}: ${code}`, { cause: err });
    }
    configs.push(parseKubeconfig(text, resolve(p)));
  }
  return mergeKubeconfigs(configs);
}

function relativeTo(origin: string, p: string): string {
  return isAbsolute(p) ? p : join(dirname(origin), p);
}

function fileOrData(data: string | undefined, file: string | undefined, origin: string, what: string): Buffer | undefined {
  if (data !== undefined && data !== '') return Buffer.from(data, 'base64');
  if (file === undefined || file === '') return undefined;
  const p = relativeTo(origin, file);
  try {
    return readFileSync(p);
  } catch (err: unknown) {
    throw new KubeconfigError(`unable to read ${what} from ${p}`, { cause: err });
  }
}

function extraServers(c: KubeconfigCluster): string[] {
  const out: string[] = [];
  for (const ext of c.extensions ?? []) {
    if (ext.name !== SERVERS_EXTENSION || !isRecord(ext.extension)) continue;
    const list = ext.extension['servers'];
    if (Array.isArray(list)) for (const s of list) if (typeof s === 'string' && s !== '') out.push(s);
  }
  return out;
}

/** Resolves a context of a (merged) kubeconfig into client options. */
export function resolveKubeconfig(cfg: Kubeconfig, opts: Pick<LoadOptions, 'context' | 'cluster' | 'user'> = {}): ResolvedKubeconfig {
  const contextName = opts.context !== undefined && opts.context !== '' ? opts.context : cfg.currentContext;
  if (contextName === '') {
    if (cfg.clusters.size === 0 && cfg.contexts.size === 0 && cfg.users.size === 0) throw new KubeconfigError(NO_CONFIG);
    throw new KubeconfigError(`${NO_CONFIG}: current-context is not set`);
  }
  const ctx = cfg.contexts.get(contextName);
  if (ctx === undefined) throw new KubeconfigError(`context was not found for specified context: ${contextName}`);
  const clusterName = opts.cluster !== undefined && opts.cluster !== '' ? opts.cluster : (ctx.value.cluster ?? '');
  const cluster = cfg.clusters.get(clusterName);
  const server = cluster?.value.server ?? '';
  if (cluster === undefined || server === '') {
    throw new KubeconfigError(clusterName === '' ? 'default cluster has no server defined' : `no server found for cluster ${JSON.stringify(clusterName)}`);
  }
  const userName = opts.user !== undefined && opts.user !== '' ? opts.user : (ctx.value.user ?? '');
  const userEntry = cfg.users.get(userName);
  // kubectl tolerates a context naming an unknown user (no credentials), not an explicit --user.
  if (userEntry === undefined && opts.user !== undefined && opts.user !== '') throw new KubeconfigError(`auth info ${JSON.stringify(userName)} does not exist`);
  const c = cluster.value;
  const servers = [server, ...extraServers(c)].filter((s, i, all) => all.indexOf(s) === i);
  const ca = fileOrData(c['certificate-authority-data'], c['certificate-authority'], cluster.origin, 'certificate-authority');

  let token: string | undefined;
  let tokenFile: string | undefined;
  let username: string | undefined;
  let password: string | undefined;
  let cert: Buffer | undefined;
  let key: Buffer | undefined;
  if (userEntry !== undefined) {
    const u = userEntry.value;
    if (u.token !== undefined && u.token !== '') token = u.token;
    else if (u.tokenFile !== undefined && u.tokenFile !== '') tokenFile = relativeTo(userEntry.origin, u.tokenFile);
    if (u.username !== undefined && u.username !== '') {
      username = u.username;
      password = u.password ?? '';
    }
    cert = fileOrData(u['client-certificate-data'], u['client-certificate'], userEntry.origin, 'client-certificate');
    key = fileOrData(u['client-key-data'], u['client-key'], userEntry.origin, 'client-key');
    const plugin = u.exec !== undefined && u.exec !== null ? 'exec' : u['auth-provider'] !== undefined && u['auth-provider'] !== null ? 'auth-provider' : undefined;
    // Failing here beats sending no credentials and getting a puzzling 401 later.
    if (plugin !== undefined && token === undefined && tokenFile === undefined && username === undefined && cert === undefined) {
      throw new KubeconfigError(`user ${JSON.stringify(userName)} authenticates through an ${plugin} credential plugin, which kubets does not run`);
    }
  }
  const ns = ctx.value.namespace;
  return {
    contextName,
    clusterName,
    userName,
    namespace: ns !== undefined && ns !== '' ? ns : 'default',
    servers,
    insecureSkipTLSVerify: c['insecure-skip-tls-verify'] === true,
    ...(c['tls-server-name'] !== undefined && c['tls-server-name'] !== '' ? { tlsServerName: c['tls-server-name'] } : {}),
    ...(ca !== undefined ? { ca } : {}),
    ...(cert !== undefined ? { cert } : {}),
    ...(key !== undefined ? { key } : {}),
    ...(token !== undefined ? { token } : {}),
    ...(tokenFile !== undefined ? { tokenFile } : {}),
    ...(username !== undefined ? { username, password } : {}),
  };
}

/** Reads the kubeconfig the way kubectl finds it and resolves the chosen context. */
export function loadKubeconfig(opts: LoadOptions = {}): ResolvedKubeconfig {
  return resolveKubeconfig(readKubeconfig(opts), opts);
}

export interface InClusterOptions {
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** Directory of the mounted service account token, ca.crt and namespace. */
  readonly serviceAccountDir?: string;
}

export const SERVICE_ACCOUNT_DIR = '/var/run/secrets/kubernetes.io/serviceaccount';

/** Client options for a process running in a pod: the kubernetes Service and the mounted token. */
export function inClusterConfig(opts: InClusterOptions = {}): RestClientOptions & { readonly namespace: string } {
  const env = opts.env ?? process.env;
  const host = env['KUBERNETES_SERVICE_HOST'];
  const port = env['KUBERNETES_SERVICE_PORT'];
  if (host === undefined || host === '' || port === undefined || port === '') {
    throw new KubeconfigError('unable to load in-cluster configuration, KUBERNETES_SERVICE_HOST and KUBERNETES_SERVICE_PORT must be defined');
  }
  const dir = opts.serviceAccountDir ?? SERVICE_ACCOUNT_DIR;
  const tokenFile = join(dir, 'token');
  if (!existsSync(tokenFile)) throw new KubeconfigError(`open ${tokenFile}: no such file or directory`);
  const caPath = join(dir, 'ca.crt');
  const nsPath = join(dir, 'namespace');
  const hostPart = host.includes(':') ? `[${host}]` : host;
  const namespace = existsSync(nsPath) ? readFileSync(nsPath, 'utf8').trim() : 'default';
  return {
    servers: [`https://${hostPart}:${port}`],
    tokenFile,
    namespace: namespace === '' ? 'default' : namespace,
    ...(existsSync(caPath) ? { ca: readFileSync(caPath) } : {}),
  };
}
