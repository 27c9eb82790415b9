// Watch: a chunked stream of newline-delimited JSON events served from the watch cache, with
// bookmarks, timeouts, backpressure (a watcher that falls behind is dropped) and Table output.
import { apiVersionOf, type KubeObject } from '../../api/registry.js';
import { badRequest, StatusError } from '../../api/errors.js';
import { negotiate, queryBool } from '../http.js';
import { parseIncludeObject, toTable } from '../table.js';
import type { WatchOutput } from '../watchcache.js';
import { selectorFilter, type ServerContext } from './context.js';
import type { Request } from './resource.js';
import { encodeObject } from './encode.js';
import { ResponseWriter } from './stream.js';

const DEFAULT_MIN_TIMEOUT_S = 1800;
const MAX_TIMER_S = Math.floor((2 ** 31 - 1) / 1000);

export async function handleWatch(ctx: ServerContext, r: Request, signal: AbortSignal): Promise<void> {
  const q = r.url.searchParams;
  const neg = negotiate(r.req.headers.accept, false);
  if (neg.format !== 'json') throw badRequest('watch supports only JSON output');
  const { filter: selected } = selectorFilter(r.def, q.get('labelSelector'), q.get('fieldSelector'));
  // A watch on a single object (/pods/name?watch=1, or fieldSelector metadata.name) only sees that object.
  const name = r.info.name;
  const filter = name ? (o: KubeObject) => o.metadata?.name === name && selected(o) : selected;
  const rv = q.get('resourceVersion') ?? '';
  const sendInitial = queryBool(q, 'sendInitialEvents');
  if (sendInitial && q.get('resourceVersionMatch') !== 'NotOlderThan') {
    throw badRequest('sendInitialEvents is forbidden for watch unless resourceVersionMatch is set to NotOlderThan');
  }
  const bookmarks = queryBool(q, 'allowWatchBookmarks');
  const timeoutParam = q.get('timeoutSeconds');
  const requested = timeoutParam !== null && timeoutParam !== '' ? Number(timeoutParam) : 0;
  if (!Number.isSafeInteger(requested) || requested < 0) throw badRequest(`invalid timeoutSeconds: ${timeoutParam}`);
  // 0 (or none) is the server's randomised default, as upstream; a long one is honoured, capped
  // where a Node timer can hold it (about 24 days) instead of firing at once.
  const timeoutS = Math.min(requested === 0 ? DEFAULT_MIN_TIMEOUT_S * (1 + Math.random()) : requested, MAX_TIMER_S);

  let watcher;
  try {
    watcher = await r.store.watch(r.info.namespace, filter, rv, sendInitial);
  } catch (err) {
    // An expired resourceVersion is reported inside the stream, as kube-apiserver does.
    if (err instanceof StatusError && err.code === 410) {
      r.res.statusCode = 200;
      r.res.setHeader('Content-Type', 'application/json');
      r.res.end(JSON.stringify({ type: 'ERROR', object: err.status }) + '\n');
      return;
    }
    throw err;
  }
  const apiVersion = apiVersionOf(r.def);
  const kind = r.def.kind;
  const asTable = neg.as === 'Table';
  const includeObject = parseIncludeObject(q.get('includeObject'));
  let headersPrinted = false;

  const res = r.res;
  res.statusCode = 200;
  res.setHeader('Content-Type', 'application/json');
  res.setHeader('Transfer-Encoding', 'chunked');
  res.setHeader('Cache-Control', 'no-cache, private');
  res.flushHeaders();

  const stop = new AbortController();
  const all = AbortSignal.any([signal, stop.signal]);
  const timer = setTimeout(() => stop.abort(), timeoutS * 1000);
  timer.unref();
  let lastRV = rv === '' || rv === '0' ? String(ctx.caches.revision) : rv;
  const bookmarkTimer = bookmarks
    ? setInterval(() => watcher.push({ type: 'BOOKMARK', object: { metadata: { resourceVersion: String(Math.max(Number(lastRV), ctx.caches.revision)) } } }), ctx.bookmarkIntervalMs)
    : undefined;
  bookmarkTimer?.unref();
  if (sendInitial) {
    watcher.push({
      type: 'BOOKMARK',
      object: { metadata: { resourceVersion: String(ctx.caches.revision), annotations: { 'k8s.io/initial-events-end': 'true' } } },
    });
  }
  res.on('close', () => stop.abort());
  // A client that cannot keep up is cut off; it reconnects from its last resourceVersion.
  watcher.onOverflow = () => {
    ctx.log.warn({ resource: r.def.plural, namespace: r.info.namespace }, 'watch dropped: client too slow');
    res.destroy();
  };

  const line = (ev: WatchOutput): string => {
    if (ev.type === 'BOOKMARK') return JSON.stringify({ type: 'BOOKMARK', object: { kind, apiVersion, ...ev.object } }) + '\n';
    if (ev.type === 'ERROR') return JSON.stringify(ev) + '\n';
    if (asTable) {
      const t = toTable(r.def, [ev.object], { resourceVersion: ev.object.metadata?.resourceVersion ?? '' }, { includeObject, noHeaders: headersPrinted, now: ctx.now() });
      headersPrinted = true;
      return JSON.stringify({ type: ev.type, object: t }) + '\n';
    }
    return `{"type":"${ev.type}","object":${encodeObject(apiVersion, kind, ev.object)}}\n`;
  };

  const writer = new ResponseWriter(res, all);
  try {
    while (!all.aborted) {
      const ev = await watcher.next(all);
      if (!ev) break;
      if (ev.object.metadata?.resourceVersion) lastRV = ev.object.metadata.resourceVersion;
      // Backpressure: wait for the socket; events keep queueing (bounded) meanwhile.
      if (!(await writer.write(line(ev)))) break;
    }
  } catch (err) {
    if (!(err instanceof StatusError)) ctx.log.error({ err: String(err) }, 'watch stream failed');
  } finally {
    clearTimeout(timer);
    if (bookmarkTimer) clearInterval(bookmarkTimer);
    watcher.close();
    if (!res.writableEnded) res.end();
  }
}
