// Runs the compiled test suites with node's test runner, layer by layer.
// Usage: node scripts/run-tests.mjs [unit|integration|e2e|compose ...] (default: unit integration e2e)
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

const layers = process.argv.slice(2).length > 0 ? process.argv.slice(2) : ['unit', 'integration', 'e2e'];

function collect(dir) {
  if (!existsSync(dir)) return [];
  const out = [];
  for (const entry of readdirSync(dir)) {
    const p = join(dir, entry);
    if (statSync(p).isDirectory()) out.push(...collect(p));
    else if (entry.endsWith('.test.js')) out.push(p);
  }
  return out.sort();
}

let failed = false;
for (const layer of layers) {
  const files = collect(join('dist', 'test', layer));
  if (files.length === 0) continue;
  console.log(`\n=== ${layer} tests (${files.length} files) ===`);
  const concurrency = layer === 'unit' ? '2' : '1';
  const r = spawnSync(process.execPath, ['--test', `--test-concurrency=${concurrency}`, ...files], { stdio: 'inherit' });
  if (r.status !== 0) failed = true;
}
process.exit(failed ? 1 : 0);
