// The part of KubeSchedulerConfiguration (kubescheduler.config.k8s.io/v1) kubets honours:
// profiles, their plugins per extension point (enabled/disabled, "*", score weights) and plugin
// args. Parsed from a plain object (the caller parses YAML) and validated with field errors.
import { FieldPath, aggregateMessage, duplicate, invalid, notSupported, required, type FieldError } from '../../api/validation/field.js';
import { EXTENSION_POINTS, implementsPoint, type AnyPlugin, type ExtensionPoint } from './interface.js';
import { UNIMPLEMENTED_UPSTREAM_PLUGINS, type Registry } from './registry.js';

export const SCHEDULER_CONFIG_API_VERSION = 'kubescheduler.config.k8s.io/v1';
export const SCHEDULER_CONFIG_KIND = 'KubeSchedulerConfiguration';
export const DEFAULT_SCHEDULER_NAME = 'default-scheduler';

export interface PluginEntry {
  readonly name: string;
  readonly weight?: number;
}
export interface PluginSet {
  readonly enabled?: readonly PluginEntry[];
  readonly disabled?: readonly PluginEntry[];
}
export type PluginsPoint = ExtensionPoint | 'preEnqueue' | 'multiPoint';
export type PluginsConfig = Partial<Record<PluginsPoint, PluginSet>>;
export interface PluginConfigEntry {
  readonly name: string;
  readonly args?: Readonly<Record<string, unknown>>;
}
export interface SchedulerProfile {
  readonly schedulerName: string;
  readonly percentageOfNodesToScore?: number;
  readonly plugins?: PluginsConfig;
  readonly pluginConfig?: readonly PluginConfigEntry[];
}
export interface SchedulerConfiguration {
  readonly apiVersion: string;
  readonly kind: string;
  readonly percentageOfNodesToScore?: number;
  readonly podInitialBackoffSeconds: number;
  readonly podMaxBackoffSeconds: number;
  readonly profiles: readonly SchedulerProfile[];
}

export class SchedulerConfigError extends Error {
  override readonly name = 'SchedulerConfigError';
  constructor(readonly errors: readonly FieldError[]) {
    super(aggregateMessage(errors));
  }
}

/** The upstream default plugin set (multiPoint), minus plugins kubets does not implement. */
export const DEFAULT_MULTI_POINT: readonly PluginEntry[] = [
  { name: 'PrioritySort' },
  { name: 'NodeUnschedulable' },
  { name: 'NodeName' },
  { name: 'TaintToleration', weight: 3 },
  { name: 'NodeAffinity', weight: 2 },
  { name: 'NodePorts' },
  { name: 'NodeResourcesFit', weight: 1 },
  { name: 'VolumeBinding' },
  { name: 'PodTopologySpread', weight: 2 },
  { name: 'InterPodAffinity', weight: 2 },
  { name: 'DefaultPreemption' },
  { name: 'NodeResourcesBalancedAllocation', weight: 1 },
  { name: 'DefaultBinder' },
];

const POINTS: readonly PluginsPoint[] = ['preEnqueue', ...EXTENSION_POINTS, 'multiPoint'];

const TOP_LEVEL = new Set([
  'apiVersion',
  'kind',
  'parallelism',
  'leaderElection',
  'clientConnection',
  'healthzBindAddress',
  'metricsBindAddress',
  'enableProfiling',
  'enableContentionProfiling',
  'percentageOfNodesToScore',
  'podInitialBackoffSeconds',
  'podMaxBackoffSeconds',
  'profiles',
  'extenders',
  'delayCacheUntilActive',
]);

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const isInt = (v: unknown): v is number => typeof v === 'number' && Number.isInteger(v);

function unknownFields(o: Record<string, unknown>, allowed: ReadonlySet<string>, path: FieldPath, errs: FieldError[]): void {
  for (const k of Object.keys(o)) if (!allowed.has(k)) errs.push(invalid(path.child(k), k, 'unknown field'));
}

function parsePluginList(v: unknown, path: FieldPath, errs: FieldError[], withWeight: boolean): PluginEntry[] {
  if (v === undefined || v === null) return [];
  if (!Array.isArray(v)) {
    errs.push(invalid(path, v, 'must be a list'));
    return [];
  }
  const out: PluginEntry[] = [];
  v.forEach((e: unknown, i) => {
    const p = path.index(i);
    if (!isObject(e)) return void errs.push(invalid(p, e, 'must be an object with a name'));
    unknownFields(e, new Set(['name', 'weight']), p, errs);
    if (typeof e['name'] !== 'string' || e['name'] === '') return void errs.push(required(p.child('name'), ''));
    const w = e['weight'];
    if (w !== undefined && w !== null) {
      if (!isInt(w) || w < 0) errs.push(invalid(p.child('weight'), w, 'must be a non-negative integer'));
      else if (!withWeight) errs.push(invalid(p.child('weight'), w, 'weight is only meaningful for score and multiPoint plugins'));
    }
    out.push(isInt(w) ? { name: e['name'], weight: w } : { name: e['name'] });
  });
  return out;
}

function parsePlugins(v: unknown, path: FieldPath, errs: FieldError[]): PluginsConfig | undefined {
  if (v === undefined || v === null) return undefined;
  if (!isObject(v)) {
    errs.push(invalid(path, v, 'must be an object'));
    return undefined;
  }
  unknownFields(v, new Set(POINTS), path, errs);
  const out: Partial<Record<PluginsPoint, PluginSet>> = {};
  for (const point of POINTS) {
    const set = v[point];
    if (set === undefined || set === null) continue;
    const p = path.child(point);
    if (!isObject(set)) {
      errs.push(invalid(p, set, 'must be an object'));
      continue;
    }
    unknownFields(set, new Set(['enabled', 'disabled']), p, errs);
    const withWeight = point === 'score' || point === 'multiPoint';
    out[point] = { enabled: parsePluginList(set['enabled'], p.child('enabled'), errs, withWeight), disabled: parsePluginList(set['disabled'], p.child('disabled'), errs, false) };
  }
  return out;
}

function checkPercentage(v: unknown, path: FieldPath, errs: FieldError[]): number | undefined {
  if (v === undefined || v === null) return undefined;
  if (!isInt(v) || v < 0 || v > 100) {
    errs.push(invalid(path, v, 'not in valid range [0-100]'));
    return undefined;
  }
  return v;
}

function parseProfile(v: unknown, path: FieldPath, errs: FieldError[]): SchedulerProfile {
  if (!isObject(v)) {
    errs.push(invalid(path, v, 'must be an object'));
    return { schedulerName: '' };
  }
  unknownFields(v, new Set(['schedulerName', 'percentageOfNodesToScore', 'plugins', 'pluginConfig']), path, errs);
  const name = v['schedulerName'];
  if (typeof name !== 'string' || name === '') errs.push(required(path.child('schedulerName'), ''));
  const pct = checkPercentage(v['percentageOfNodesToScore'], path.child('percentageOfNodesToScore'), errs);
  const plugins = parsePlugins(v['plugins'], path.child('plugins'), errs);
  const pluginConfig: PluginConfigEntry[] = [];
  const pc = v['pluginConfig'];
  if (pc !== undefined && pc !== null) {
    if (!Array.isArray(pc)) errs.push(invalid(path.child('pluginConfig'), pc, 'must be a list'));
    else {
      const seen = new Set<string>();
      pc.forEach((e: unknown, i) => {
        const p = path.child('pluginConfig').index(i);
        if (!isObject(e) || typeof e['name'] !== 'string' || e['name'] === '') return void errs.push(required(p.child('name'), ''));
        if (seen.has(e['name'])) errs.push(duplicate(p, e['name']));
        seen.add(e['name']);
        const args = e['args'];
        if (args !== undefined && args !== null && !isObject(args)) errs.push(invalid(p.child('args'), args, 'must be an object'));
        errs.push(...validatePluginArgs(e['name'], isObject(args) ? args : {}, p.child('args')));
        pluginConfig.push({ name: e['name'], args: isObject(args) ? args : {} });
      });
    }
  }
  return { schedulerName: typeof name === 'string' ? name : '', ...(pct !== undefined ? { percentageOfNodesToScore: pct } : {}), ...(plugins ? { plugins } : {}), pluginConfig };
}

function validateResources(v: unknown, path: FieldPath, errs: FieldError[]): void {
  if (v === undefined) return;
  if (!Array.isArray(v)) return void errs.push(invalid(path, v, 'must be a list'));
  v.forEach((r: unknown, i) => {
    const p = path.index(i);
    if (!isObject(r) || typeof r['name'] !== 'string' || r['name'] === '') return void errs.push(required(p.child('name'), ''));
    const w = r['weight'];
    if (!isInt(w) || w < 1 || w > 100) errs.push(invalid(p.child('weight'), w, 'resource weight of ' + r['name'] + ' not in valid range [1, 100]'));
  });
}

/** Args of the plugins that take any; others must have none. */
export function validatePluginArgs(name: string, args: Readonly<Record<string, unknown>>, path: FieldPath): FieldError[] {
  const errs: FieldError[] = [];
  const allowed = (keys: string[]): void => unknownFields(args as Record<string, unknown>, new Set(['apiVersion', 'kind', ...keys]), path, errs);
  switch (name) {
    case 'NodeResourcesFit': {
      allowed(['scoringStrategy', 'ignoredResources', 'ignoredResourceGroups']);
      const ss = args['scoringStrategy'];
      if (ss !== undefined) {
        if (!isObject(ss)) errs.push(invalid(path.child('scoringStrategy'), ss, 'must be an object'));
        else {
          unknownFields(ss, new Set(['type', 'resources']), path.child('scoringStrategy'), errs);
          const t = ss['type'];
          if (t !== undefined && t !== 'LeastAllocated' && t !== 'MostAllocated') {
            errs.push(notSupported(path.child('scoringStrategy', 'type'), t, ['LeastAllocated', 'MostAllocated']));
          }
          validateResources(ss['resources'], path.child('scoringStrategy', 'resources'), errs);
        }
      }
      const ig = args['ignoredResources'];
      if (ig !== undefined && !(Array.isArray(ig) && ig.every((x) => typeof x === 'string'))) errs.push(invalid(path.child('ignoredResources'), ig, 'must be a list of strings'));
      break;
    }
    case 'NodeResourcesBalancedAllocation':
      allowed(['resources']);
      validateResources(args['resources'], path.child('resources'), errs);
      break;
    case 'InterPodAffinity': {
      allowed(['hardPodAffinityWeight', 'ignorePreferredTermsOfExistingPods']);
      const w = args['hardPodAffinityWeight'];
      if (w !== undefined && (!isInt(w) || w < 0 || w > 100)) errs.push(invalid(path.child('hardPodAffinityWeight'), w, 'not in valid range [0, 100]'));
      break;
    }
    case 'DefaultPreemption': {
      allowed(['minCandidateNodesPercentage', 'minCandidateNodesAbsolute']);
      const p = args['minCandidateNodesPercentage'];
      const a = args['minCandidateNodesAbsolute'];
      if (p !== undefined && (!isInt(p) || p < 0 || p > 100)) errs.push(invalid(path.child('minCandidateNodesPercentage'), p, 'not in valid range [0, 100]'));
      if (a !== undefined && (!isInt(a) || a < 0)) errs.push(invalid(path.child('minCandidateNodesAbsolute'), a, 'not in valid range [0, inf)'));
      if (p === 0 && a === 0) errs.push(invalid(path, args, 'both minCandidateNodesPercentage and minCandidateNodesAbsolute cannot be zero'));
      break;
    }
    case 'VolumeBinding': {
      allowed(['bindTimeoutSeconds']);
      const t = args['bindTimeoutSeconds'];
      if (t !== undefined && (!isInt(t) || t < 0)) errs.push(invalid(path.child('bindTimeoutSeconds'), t, 'invalid BindTimeoutSeconds, should not be a negative value'));
      break;
    }
    default:
      allowed([]);
  }
  return errs;
}

/** Parses and validates a KubeSchedulerConfiguration object; throws SchedulerConfigError. */
export function parseSchedulerConfiguration(v: unknown): SchedulerConfiguration {
  const errs: FieldError[] = [];
  if (!isObject(v)) throw new SchedulerConfigError([invalid(FieldPath.root(''), v, 'must be an object')]);
  unknownFields(v, TOP_LEVEL, FieldPath.root(''), errs);
  const root = (k: string): FieldPath => FieldPath.root(k);
  if (v['apiVersion'] !== SCHEDULER_CONFIG_API_VERSION) errs.push(notSupported(root('apiVersion'), v['apiVersion'], [SCHEDULER_CONFIG_API_VERSION]));
  if (v['kind'] !== SCHEDULER_CONFIG_KIND) errs.push(notSupported(root('kind'), v['kind'], [SCHEDULER_CONFIG_KIND]));
  const pct = checkPercentage(v['percentageOfNodesToScore'], root('percentageOfNodesToScore'), errs);
  const initial = v['podInitialBackoffSeconds'] ?? 1;
  const max = v['podMaxBackoffSeconds'] ?? 10;
  if (!isInt(initial) || initial <= 0) errs.push(invalid(root('podInitialBackoffSeconds'), initial, 'must be greater than 0'));
  if (!isInt(max) || !isInt(initial) || max < initial) errs.push(invalid(root('podMaxBackoffSeconds'), max, 'must be greater than or equal to PodInitialBackoffSeconds'));

  let profiles: SchedulerProfile[];
  const rawProfiles = v['profiles'];
  if (rawProfiles === undefined || rawProfiles === null) profiles = [{ schedulerName: DEFAULT_SCHEDULER_NAME }];
  else if (!Array.isArray(rawProfiles)) {
    errs.push(invalid(root('profiles'), rawProfiles, 'must be a list'));
    profiles = [];
  } else {
    profiles = rawProfiles.map((p: unknown, i) => parseProfile(p, root('profiles').index(i), errs));
    if (profiles.length === 0) errs.push(required(root('profiles'), ''));
  }
  const names = new Set<string>();
  profiles.forEach((p, i) => {
    if (p.schedulerName && names.has(p.schedulerName)) errs.push(duplicate(root('profiles').index(i).child('schedulerName'), p.schedulerName));
    names.add(p.schedulerName);
  });
  // The queue is shared, so every profile must sort it the same way.
  const sorts = profiles.map((p) => JSON.stringify(p.plugins?.queueSort ?? null));
  profiles.forEach((p, i) => {
    if (i > 0 && sorts[i] !== sorts[0]) errs.push(invalid(root('profiles').index(i).child('plugins', 'queueSort'), p.plugins?.queueSort, 'must be the same for all profiles'));
  });
  if (errs.length > 0) throw new SchedulerConfigError(errs);
  return {
    apiVersion: SCHEDULER_CONFIG_API_VERSION,
    kind: SCHEDULER_CONFIG_KIND,
    ...(pct !== undefined ? { percentageOfNodesToScore: pct } : {}),
    podInitialBackoffSeconds: initial as number,
    podMaxBackoffSeconds: max as number,
    profiles,
  };
}

export interface ResolvedProfile {
  readonly schedulerName: string;
  /** 0 means adaptive (upstream's default). */
  readonly percentageOfNodesToScore: number;
  /** Plugin names per extension point, in run order. */
  readonly points: Readonly<Record<ExtensionPoint, readonly string[]>>;
  readonly scoreWeights: ReadonlyMap<string, number>;
  readonly pluginArgs: ReadonlyMap<string, Readonly<Record<string, unknown>>>;
}

/** Upstream's merge of a custom plugin set into the defaults: "*" drops all defaults, same name replaces in place. */
function mergeSet(defaults: readonly PluginEntry[], custom: PluginSet | undefined): { enabled: PluginEntry[]; disabled: Set<string> } {
  const disabled = new Set((custom?.disabled ?? []).map((d) => d.name));
  const enabledCustom = custom?.enabled ?? [];
  const out: PluginEntry[] = [];
  const replaced = new Set<string>();
  if (!disabled.has('*')) {
    for (const d of defaults) {
      if (disabled.has(d.name)) continue;
      const c = enabledCustom.find((e) => e.name === d.name);
      out.push(c ?? d);
      if (c) replaced.add(d.name);
    }
  }
  for (const c of enabledCustom) if (!replaced.has(c.name)) out.push(c);
  return { enabled: out, disabled };
}

/** Expands a profile into per-extension-point plugin lists and score weights; throws SchedulerConfigError. */
export function resolveProfile(profile: SchedulerProfile, registry: Registry, globalPercentage = 0, index = 0): ResolvedProfile {
  const path = FieldPath.root('profiles').index(index).child('plugins');
  const errs: FieldError[] = [];
  const pluginsOf = profile.plugins ?? {};
  const multi = mergeSet(DEFAULT_MULTI_POINT, pluginsOf.multiPoint).enabled;
  const check = (name: string, p: FieldPath): boolean => {
    if (registry.has(name)) return true;
    errs.push(invalid(p, name, UNIMPLEMENTED_UPSTREAM_PLUGINS.has(name) ? 'plugin is not implemented by kubets' : `plugin "${name}" does not exist`));
    return false;
  };
  multi.forEach((e, i) => check(e.name, path.child('multiPoint', 'enabled').index(i)));
  const instances = new Map<string, AnyPlugin>();
  const instance = (name: string): AnyPlugin => {
    let p = instances.get(name);
    if (!p) {
      p = registry.get(name)!(profile.pluginConfig?.find((c) => c.name === name)?.args, {});
      instances.set(name, p);
    }
    return p;
  };
  const points = {} as Record<ExtensionPoint, string[]>;
  const weights = new Map<string, number>();
  const scoreEnabled: PluginEntry[] = [];
  for (const point of ['queueSort', 'preFilter', 'filter', 'postFilter', 'preScore', 'score', 'reserve', 'permit', 'preBind', 'bind', 'postBind'] as const) {
    const set = pluginsOf[point];
    const explicit = (set?.enabled ?? []).filter((e, i) => check(e.name, path.child(point, 'enabled').index(i)));
    const disabled = new Set((set?.disabled ?? []).map((d) => d.name));
    for (const e of explicit) {
      if (!implementsPoint(instance(e.name), point)) errs.push(invalid(path.child(point, 'enabled'), e.name, `plugin "${e.name}" does not extend ${point} plugin`));
    }
    if (point === 'score') scoreEnabled.push(...explicit);
    if (disabled.has('*')) {
      points[point] = explicit.map((e) => e.name);
      continue;
    }
    const explicitNames = explicit.map((e) => e.name);
    const fromMulti: string[] = [];
    const overrides: string[] = [];
    for (const e of multi) {
      if (!registry.has(e.name) || !implementsPoint(instance(e.name), point) || disabled.has(e.name)) continue;
      if (explicitNames.includes(e.name)) overrides.push(e.name);
      else if (!fromMulti.includes(e.name)) fromMulti.push(e.name);
    }
    // Order: overridden defaults (in their explicit order), then multiPoint plugins, then other explicit ones.
    const first = explicitNames.filter((n) => overrides.includes(n));
    points[point] = [...first, ...fromMulti, ...explicitNames.filter((n) => !overrides.includes(n))];
  }
  for (const e of [...scoreEnabled, ...multi]) {
    if (weights.has(e.name) || !points.score.includes(e.name)) continue;
    weights.set(e.name, e.weight || 1);
  }
  if (points.queueSort.length === 0) errs.push(required(path.child('queueSort'), 'no queue sort plugin is enabled'));
  if (points.queueSort.length > 1) errs.push(invalid(path.child('queueSort'), points.queueSort, 'only one queue sort plugin can be enabled'));
  if (errs.length > 0) throw new SchedulerConfigError(errs);
  const pluginArgs = new Map((profile.pluginConfig ?? []).map((c) => [c.name, c.args ?? {}] as const));
  return {
    schedulerName: profile.schedulerName,
    percentageOfNodesToScore: profile.percentageOfNodesToScore ?? globalPercentage,
    points,
    scoreWeights: weights,
    pluginArgs,
  };
}
