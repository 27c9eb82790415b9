// Data computed once per scheduling cycle (in PreFilter/PreScore) and read by later extension
// points, under keys private to each plugin.

export interface StateKey<T> {
  readonly id: string;
  /** Deep-enough copy for preemption's what-if runs; values without it are shared by clones. */
  readonly clone?: (v: T) => T;
  /** Type carrier only; never set. */
  readonly __type?: T;
}

export const stateKey = <T>(id: string, clone?: (v: T) => T): StateKey<T> => (clone ? { id, clone } : { id });

interface Entry {
  value: unknown;
  clone?: (v: unknown) => unknown;
}

export class CycleState {
  private readonly data = new Map<string, Entry>();
  /** Plugins whose PreFilter said Skip: the framework does not call their Filter. */
  readonly skipFilterPlugins = new Set<string>();
  /** Plugins whose PreScore said Skip: the framework does not call their Score. */
  readonly skipScorePlugins = new Set<string>();

  read<T>(k: StateKey<T>): T | undefined {
    return this.data.get(k.id)?.value as T | undefined;
  }

  write<T>(k: StateKey<T>, v: T): void {
    this.data.set(k.id, { value: v, clone: k.clone as ((v: unknown) => unknown) | undefined });
  }

  delete<T>(k: StateKey<T>): void {
    this.data.delete(k.id);
  }

  clone(): CycleState {
    const c = new CycleState();
    for (const [id, e] of this.data) c.data.set(id, { value: e.clone ? e.clone(e.value) : e.value, clone: e.clone });
    for (const p of this.skipFilterPlugins) c.skipFilterPlugins.add(p);
    for (const p of this.skipScorePlugins) c.skipScorePlugins.add(p);
    return c;
  }
}
