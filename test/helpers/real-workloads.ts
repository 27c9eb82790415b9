// Workloads for clusters on real containers (the launcher's containerd nodes, the compose real
// profile): all run `kubets/node-base:20`, the node image the nodes import.

const SERVER = "require('http').createServer((q,s)=>{console.log(q.method,q.url);s.end('hello from '+require('os').hostname()+'\\n')}).listen(8080)";

/** Two replicas of an HTTP server on 8080 answering "hello from <pod>", one per node, logging each request. */
export const HELLO_DEPLOYMENT = `apiVersion: apps/v1
kind: Deployment
metadata: {name: hello}
spec:
  replicas: 2
  selector: {matchLabels: {app: hello}}
  template:
    metadata: {labels: {app: hello}}
    spec:
      affinity:
        podAntiAffinity:
          requiredDuringSchedulingIgnoredDuringExecution:
          - labelSelector: {matchLabels: {app: hello}}
            topologyKey: kubernetes.io/hostname
      containers:
      - name: web
        image: kubets/node-base:20
        command: ["node", "-e", ${JSON.stringify(SERVER)}]
        ports: [{containerPort: 8080}]
`;

const VISITS = "const fs=require('fs');const f='/data/visits';const n=(fs.existsSync(f)?Number(fs.readFileSync(f,'utf8')):0)+1;fs.writeFileSync(f,String(n));console.log('visit',n);setInterval(()=>{},1000)";

/** A StatefulSet `store` of one pod that counts its starts in a file on its claim `data` and logs "visit N". */
export const VISITS_STATEFULSET = `apiVersion: apps/v1
kind: StatefulSet
metadata: {name: store}
spec:
  serviceName: store
  replicas: 1
  selector: {matchLabels: {app: store}}
  template:
    metadata: {labels: {app: store}}
    spec:
      containers:
      - name: main
        image: kubets/node-base:20
        command: ["node", "-e", ${JSON.stringify(VISITS)}]
        volumeMounts: [{name: data, mountPath: /data}]
  volumeClaimTemplates:
  - metadata: {name: data}
    spec: {accessModes: [ReadWriteOnce], resources: {requests: {storage: 1Gi}}}
`;

/** A container that allocates memory until its 64Mi limit kills it. */
export const MEMORY_HOG = { name: 'hog', image: 'kubets/node-base:20', command: ['node', '-e', 'const a=[];for(;;)a.push(Buffer.alloc(1<<20,1))'], resources: { limits: { memory: '64Mi' } } };

/** A server on 8080 answering with the time it started: the same answer means the same process. */
export const STARTED_AT_SERVER = "const started=Date.now();require('http').createServer((q,s)=>s.end(String(started))).listen(8080)";
