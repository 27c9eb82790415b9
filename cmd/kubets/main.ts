// kubets COMPONENT [flags]: one entry point for the container image, which holds every component.
// Each component's own main reads its flags from process.argv, so the component name is removed
// from argv before that main is loaded.
const COMPONENTS: Record<string, string> = {
  apiserver: '../apiserver/main.js',
  loadbalancer: '../loadbalancer/main.js',
  scheduler: '../scheduler/main.js',
  'controller-manager': '../controller-manager/main.js',
  kubelet: '../kubelet/main.js',
  node: '../node/main.js',
  'fake-runtime': '../fake-runtime/main.js',
  'csi-hostpath': '../csi-hostpath/main.js',
  cni: '../cni/main.js',
  probe: '../probe/main.js',
};

const USAGE = `Usage: kubets COMPONENT [flags]
Components: ${Object.keys(COMPONENTS).join(', ')}
Run "kubets COMPONENT --help" for the component's flags.`;

const name = process.argv[2];
if (name === undefined || name === '--help' || name === '-h') {
  process.stdout.write(`${USAGE}\n`);
  process.exit(name === undefined ? 2 : 0);
}
const module = Object.hasOwn(COMPONENTS, name) ? COMPONENTS[name] : undefined;
if (module === undefined) {
  process.stderr.write(`kubets: unknown component ${JSON.stringify(name)}\n${USAGE}\n`);
  process.exit(2);
}
process.argv.splice(2, 1);
await import(module);
