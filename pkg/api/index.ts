// Every built-in kind, as one registry value.
import { Registry } from './registry.js';
import { resources as core } from './core/v1/index.js';
import { resources as apps } from './apps/v1/index.js';
import { resources as batch } from './batch/v1/index.js';
import { resources as coordination } from './coordination/v1/index.js';
import { resources as discovery } from './discovery/v1/index.js';
import { resources as events } from './events/v1/index.js';
import { resources as scheduling } from './scheduling/v1/index.js';
import { resources as policy } from './policy/v1/index.js';
import { resources as storage } from './storage/v1/index.js';

export function builtinRegistry(): Registry {
  return new Registry([...core, ...apps, ...batch, ...coordination, ...discovery, ...events, ...scheduling, ...policy, ...storage]);
}
