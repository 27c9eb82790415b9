// Request bodies kubectl v1.32 sent to a capturing HTTP server (Content-Type
// application/vnd.kubernetes.protobuf), each with the JSON `kubectl <same command> --dry-run=client -o json`
// prints. Our own captures; regenerate by pointing kubectl at any server that logs request bodies.
// blob.bin held the bytes 00 ff 10 followed by "binary". For `--from=cronjob/nightly` the server answered
// with a CronJob (as JSON) whose pod template sets most PodSpec fields, so that capture shows how Go
// encodes the core pod types: negative and zero pointer ints, empty pointer strings, embedded structs.

export interface KubectlCapture {
  readonly name: string;
  readonly command: string;
  readonly url: string;
  readonly hex: string;
  readonly json: Record<string, unknown>;
}

export const kubectlCaptures: readonly KubectlCapture[] = [
  {
    name: 'create deployment',
    command: 'kubectl create deployment web --image=nginx:1.27 --replicas=2',
    url: '/apis/apps/v1/namespaces/default/deployments?fieldManager=kubectl-create&fieldValidation=Strict',
    hex:
      '6b3873000a150a07617070732f7631120a4465706c6f796d656e7412b0010a1f0a0377656212001a0022002a003200380042' +
      '005a0a0a036170701203776562127f0802120c0a0a0a0361707012037765621a650a1c0a0012001a0022002a003200380042' +
      '005a0a0a036170701203776562124512270a056e67696e78120a6e67696e783a312e32372a0042006a007200800100880100' +
      '900100a201001a00320042004a0052005800600068008201008a01009a0100c2010022020a00280038001a0c080010001800' +
      '2000280038001a002200',
    json: {
      "kind": "Deployment",
      "apiVersion": "apps/v1",
      "metadata": {"name": "web", "creationTimestamp": null, "labels": {"app": "web"}},
      "spec": {
        "replicas": 2,
        "selector": {"matchLabels": {"app": "web"}},
        "template": {
          "metadata": {"creationTimestamp": null, "labels": {"app": "web"}},
          "spec": {"containers": [{"name": "nginx", "image": "nginx:1.27", "resources": {}}]},
        },
        "strategy": {},
      },
      "status": {},
    },
  },
  {
    name: 'create deployment with zero replicas and a port',
    command: 'kubectl create deployment idle --image=nginx:1.27 --replicas=0 --port=8080 -n apps',
    url: '/apis/apps/v1/namespaces/apps/deployments?fieldManager=kubectl-create&fieldValidation=Strict',
    hex:
      '6b3873000a150a07617070732f7631120a4465706c6f796d656e7412c6010a250a0469646c6512001a046170707322002a00' +
      '3200380042005a0b0a03617070120469646c65128e010800120d0a0b0a03617070120469646c651a730a1d0a0012001a0022' +
      '002a003200380042005a0b0a03617070120469646c65125212340a056e67696e78120a6e67696e783a312e32372a00320b0a' +
      '00100018903f22002a0042006a007200800100880100900100a201001a00320042004a0052005800600068008201008a0100' +
      '9a0100c2010022020a00280038001a0c0800100018002000280038001a002200',
    json: {
      "kind": "Deployment",
      "apiVersion": "apps/v1",
      "metadata": {"name": "idle", "namespace": "apps", "creationTimestamp": null, "labels": {"app": "idle"}},
      "spec": {
        "replicas": 0,
        "selector": {"matchLabels": {"app": "idle"}},
        "template": {
          "metadata": {"creationTimestamp": null, "labels": {"app": "idle"}},
          "spec": {
            "containers": [{"name": "nginx", "image": "nginx:1.27", "ports": [{"containerPort": 8080}], "resources": {}}],
          },
        },
        "strategy": {},
      },
      "status": {},
    },
  },
  {
    name: 'create configmap from literals',
    command: 'kubectl create configmap app-config --from-literal=mode=prod --from-literal=empty= \'--from-literal=multi=line1\nline2\' --from-file=bin=/tmp/pbcap/blob.bin',
    url: '/api/v1/namespaces/default/configmaps?fieldManager=kubectl-create&fieldValidation=Strict',
    hex:
      '6b3873000a0f0a0276311209436f6e6669674d6170125d0a1a0a0a6170702d636f6e66696712001a0022002a003200380042' +
      '0012090a05656d7074791200120c0a046d6f6465120470726f6412140a056d756c7469120b6c696e65310a6c696e65321a10' +
      '0a0362696e120900ff1062696e6172791a002200',
    json: {
      "kind": "ConfigMap",
      "apiVersion": "v1",
      "metadata": {"name": "app-config", "creationTimestamp": null},
      "data": {"empty": "", "mode": "prod", "multi": "line1\nline2"},
      "binaryData": {"bin": "AP8QYmluYXJ5"},
    },
  },
  {
    name: 'create secret generic',
    command: 'kubectl create secret generic db --from-literal=user=admin \'--from-literal=password=s3cr=t!\' --from-file=blob=/tmp/pbcap/blob.bin',
    url: '/api/v1/namespaces/default/secrets?fieldManager=kubectl-create&fieldValidation=Strict',
    hex:
      '6b3873000a0c0a0276311206536563726574124d0a120a02646212001a0022002a0032003800420012110a04626c6f621209' +
      '00ff1062696e61727912130a0870617373776f72641207733363723d7421120d0a0475736572120561646d696e1a001a0022' +
      '00',
    json: {
      "kind": "Secret",
      "apiVersion": "v1",
      "metadata": {"name": "db", "creationTimestamp": null},
      "data": {"blob": "AP8QYmluYXJ5", "password": "czNjcj10IQ==", "user": "YWRtaW4="},
    },
  },
  {
    name: 'create secret docker-registry',
    command: 'kubectl create secret docker-registry regcred --docker-server=registry.example:5000 --docker-username=bob --docker-password=pw',
    url: '/api/v1/namespaces/default/secrets?fieldManager=kubectl-create&fieldValidation=Strict',
    hex:
      '6b3873000a0c0a027631120653656372657412a8010a170a077265676372656412001a0022002a00320038004200126d0a11' +
      '2e646f636b6572636f6e6669676a736f6e12587b226175746873223a7b2272656769737472792e6578616d706c653a353030' +
      '30223a7b22757365726e616d65223a22626f62222c2270617373776f7264223a227077222c2261757468223a22596d39694f' +
      '6e4233227d7d7d1a1e6b756265726e657465732e696f2f646f636b6572636f6e6669676a736f6e1a002200',
    json: {
      "kind": "Secret",
      "apiVersion": "v1",
      "metadata": {"name": "regcred", "creationTimestamp": null},
      "data": {
        ".dockerconfigjson": "eyJhdXRocyI6eyJyZWdpc3RyeS5leGFtcGxlOjUwMDAiOnsidXNlcm5hbWUiOiJib2IiLCJwYXNzd29yZCI6InB3IiwiYXV0aCI6IlltOWlPbkIzIn19fQ==",
      },
      "type": "kubernetes.io/dockerconfigjson",
    },
  },
  {
    name: 'create namespace',
    command: 'kubectl create namespace team-a',
    url: '/api/v1/namespaces?fieldManager=kubectl-create&fieldValidation=Strict',
    hex:
      '6b3873000a0f0a02763112094e616d657370616365121e0a160a067465616d2d6112001a0022002a0032003800420012001a' +
      '020a001a002200',
    json: {
      "kind": "Namespace",
      "apiVersion": "v1",
      "metadata": {"name": "team-a", "creationTimestamp": null},
      "spec": {},
      "status": {},
    },
  },
  {
    name: 'create service clusterip',
    command: 'kubectl create service clusterip web --tcp=80:8080 --tcp=443:https',
    url: '/api/v1/namespaces/default/services?fieldManager=kubectl-create&fieldValidation=Strict',
    hex:
      '6b3873000a0d0a027631120753657276696365128d010a1f0a0377656212001a0022002a003200380042005a0a0a03617070' +
      '120377656212660a1b0a0738302d38303830120354435018502207080010903f1a0028000a220a093434332d687474707312' +
      '0354435018bb03220b080110001a0568747470732800120a0a0361707012037765621a002209436c757374657249503a0042' +
      '0052005a00600068001a020a001a002200',
    json: {
      "kind": "Service",
      "apiVersion": "v1",
      "metadata": {"name": "web", "creationTimestamp": null, "labels": {"app": "web"}},
      "spec": {
        "ports": [
          {"name": "80-8080", "protocol": "TCP", "port": 80, "targetPort": 8080},
          {"name": "443-https", "protocol": "TCP", "port": 443, "targetPort": "https"},
        ],
        "selector": {"app": "web"},
        "type": "ClusterIP",
      },
      "status": {"loadBalancer": {}},
    },
  },
  {
    name: 'create service headless',
    command: 'kubectl create service clusterip headless --clusterip=None',
    url: '/api/v1/namespaces/default/services?fieldManager=kubectl-create&fieldValidation=Strict',
    hex:
      '6b3873000a0d0a027631120753657276696365125f0a290a08686561646c65737312001a0022002a003200380042005a0f0a' +
      '036170701208686561646c657373122e120f0a036170701208686561646c6573731a044e6f6e652209436c75737465724950' +
      '3a00420052005a00600068001a020a001a002200',
    json: {
      "kind": "Service",
      "apiVersion": "v1",
      "metadata": {"name": "headless", "creationTimestamp": null, "labels": {"app": "headless"}},
      "spec": {"selector": {"app": "headless"}, "clusterIP": "None", "type": "ClusterIP"},
      "status": {"loadBalancer": {}},
    },
  },
  {
    name: 'create service nodeport',
    command: 'kubectl create service nodeport np --tcp=80:8080 --node-port=30080',
    url: '/api/v1/namespaces/default/services?fieldManager=kubectl-create&fieldValidation=Strict',
    hex:
      '6b3873000a0d0a02763112075365727669636512670a1d0a026e7012001a0022002a003200380042005a090a036170701202' +
      '6e7012420a1d0a0738302d38303830120354435018502207080010903f1a002880eb0112090a0361707012026e701a002208' +
      '4e6f6465506f72743a00420052005a00600068001a020a001a002200',
    json: {
      "kind": "Service",
      "apiVersion": "v1",
      "metadata": {"name": "np", "creationTimestamp": null, "labels": {"app": "np"}},
      "spec": {
        "ports": [{"name": "80-8080", "protocol": "TCP", "port": 80, "targetPort": 8080, "nodePort": 30080}],
        "selector": {"app": "np"},
        "type": "NodePort",
      },
      "status": {"loadBalancer": {}},
    },
  },
  {
    name: 'create service externalname',
    command: 'kubectl create service externalname ext --external-name=db.example.com',
    url: '/api/v1/namespaces/default/services?fieldManager=kubectl-create&fieldValidation=Strict',
    hex:
      '6b3873000a0d0a027631120753657276696365125d0a1f0a0365787412001a0022002a003200380042005a0a0a0361707012' +
      '036578741236120a0a0361707012036578741a00220c45787465726e616c4e616d653a004200520e64622e6578616d706c65' +
      '2e636f6d5a00600068001a020a001a002200',
    json: {
      "kind": "Service",
      "apiVersion": "v1",
      "metadata": {"name": "ext", "creationTimestamp": null, "labels": {"app": "ext"}},
      "spec": {"selector": {"app": "ext"}, "type": "ExternalName", "externalName": "db.example.com"},
      "status": {"loadBalancer": {}},
    },
  },
  {
    name: 'create job',
    command: 'kubectl create job once --image=busybox:1.36 -- echo hello',
    url: '/apis/batch/v1/namespaces/default/jobs?fieldManager=kubectl-create&fieldValidation=Strict',
    hex:
      '6b3873000a0f0a0862617463682f763112034a6f621290010a140a046f6e636512001a0022002a00320038004200126e326c' +
      '0a100a0012001a0022002a00320038004200125812350a046f6e6365120c62757379626f783a312e33361a046563686f1a05' +
      '68656c6c6f2a0042006a007200800100880100900100a201001a054e65766572320042004a0052005800600068008201008a' +
      '01009a0100c201001a082000280030003a001a002200',
    json: {
      "kind": "Job",
      "apiVersion": "batch/v1",
      "metadata": {"name": "once", "creationTimestamp": null},
      "spec": {
        "template": {
          "metadata": {"creationTimestamp": null},
          "spec": {
            "containers": [{"name": "once", "image": "busybox:1.36", "command": ["echo", "hello"], "resources": {}}],
            "restartPolicy": "Never",
          },
        },
      },
      "status": {},
    },
  },
  {
    name: 'create cronjob',
    command: 'kubectl create cronjob tick --image=busybox:1.36 \'--schedule=*/5 * * * *\' --restart=OnFailure -- date',
    url: '/apis/batch/v1/namespaces/default/cronjobs?fieldManager=kubectl-create&fieldValidation=Strict',
    hex:
      '6b3873000a130a0862617463682f7631120743726f6e4a6f6212b0010a140a047469636b12001a0022002a00320038004200' +
      '1295010a0b2a2f35202a202a202a202a1a002a83010a140a047469636b12001a0022002a00320038004200126b32690a100a' +
      '0012001a0022002a003200380042001255122e0a047469636b120c62757379626f783a312e33361a04646174652a0042006a' +
      '007200800100880100900100a201001a094f6e4661696c757265320042004a0052005800600068008201008a01009a0100c2' +
      '01001a001a002200',
    json: {
      "kind": "CronJob",
      "apiVersion": "batch/v1",
      "metadata": {"name": "tick", "creationTimestamp": null},
      "spec": {
        "schedule": "*/5 * * * *",
        "jobTemplate": {
          "metadata": {"name": "tick", "creationTimestamp": null},
          "spec": {
            "template": {
              "metadata": {"creationTimestamp": null},
              "spec": {
                "containers": [{"name": "tick", "image": "busybox:1.36", "command": ["date"], "resources": {}}],
                "restartPolicy": "OnFailure",
              },
            },
          },
        },
      },
      "status": {},
    },
  },
  {
    name: 'create quota',
    command: 'kubectl create quota q --hard=cpu=1,memory=1Gi,pods=10 --scopes=NotBestEffort',
    url: '/api/v1/namespaces/default/resourcequotas?fieldManager=kubectl-create&fieldValidation=Strict',
    hex:
      '6b3873000a130a027631120d5265736f7572636551756f746112510a110a017112001a0022002a00320038004200123a0a0a' +
      '0a0363707512030a01310a0f0a066d656d6f727912050a033147690a0c0a04706f647312040a023130120d4e6f7442657374' +
      '4566666f72741a001a002200',
    json: {
      "kind": "ResourceQuota",
      "apiVersion": "v1",
      "metadata": {"name": "q", "creationTimestamp": null},
      "spec": {"hard": {"cpu": "1", "memory": "1Gi", "pods": "10"}, "scopes": ["NotBestEffort"]},
      "status": {},
    },
  },
  {
    name: 'create priorityclass',
    command: 'kubectl create priorityclass high --value=1000 \'--description=for critical pods\' --preemption-policy=Never',
    url: '/apis/scheduling.k8s.io/v1/priorityclasses?fieldManager=kubectl-create&fieldValidation=Strict',
    hex:
      '6b3873000a250a147363686564756c696e672e6b38732e696f2f7631120d5072696f72697479436c61737312350a140a0468' +
      '69676812001a0022002a0032003800420010e80718002211666f7220637269746963616c20706f64732a054e657665721a00' +
      '2200',
    json: {
      "kind": "PriorityClass",
      "apiVersion": "scheduling.k8s.io/v1",
      "metadata": {"name": "high", "creationTimestamp": null},
      "value": 1000,
      "description": "for critical pods",
      "preemptionPolicy": "Never",
    },
  },
  {
    name: 'create priorityclass with value zero as global default',
    command: 'kubectl create priorityclass zero --value=0 --global-default',
    url: '/apis/scheduling.k8s.io/v1/priorityclasses?fieldManager=kubectl-create&fieldValidation=Strict',
    hex:
      '6b3873000a250a147363686564756c696e672e6b38732e696f2f7631120d5072696f72697479436c61737312320a140a047a' +
      '65726f12001a0022002a003200380042001000180122002a14507265656d70744c6f7765725072696f726974791a002200',
    json: {
      "kind": "PriorityClass",
      "apiVersion": "scheduling.k8s.io/v1",
      "metadata": {"name": "zero", "creationTimestamp": null},
      "value": 0,
      "globalDefault": true,
      "preemptionPolicy": "PreemptLowerPriority",
    },
  },
  {
    name: 'create pdb with min-available',
    command: 'kubectl create pdb web-pdb --selector=app=web --min-available=1',
    url: '/apis/policy/v1/namespaces/default/poddisruptionbudgets?fieldManager=kubectl-create&fieldValidation=Strict',
    hex:
      '6b3873000a200a09706f6c6963792f76311213506f6444697372757074696f6e427564676574123d0a170a077765622d7064' +
      '6212001a0022002a0032003800420012160a06080010011a00120c0a0a0a0361707012037765621a0a080018002000280030' +
      '001a002200',
    json: {
      "kind": "PodDisruptionBudget",
      "apiVersion": "policy/v1",
      "metadata": {"name": "web-pdb", "creationTimestamp": null},
      "spec": {"minAvailable": 1, "selector": {"matchLabels": {"app": "web"}}},
      "status": {"disruptionsAllowed": 0, "currentHealthy": 0, "desiredHealthy": 0, "expectedPods": 0},
    },
  },
  {
    name: 'create pdb with max-unavailable percent',
    command: 'kubectl create pdb pct \'--selector=app=web,tier in (front,back)\' --max-unavailable=50%',
    url: '/apis/policy/v1/namespaces/default/poddisruptionbudgets?fieldManager=kubectl-create&fieldValidation=Strict',
    hex:
      '6b3873000a200a09706f6c6963792f76311213506f6444697372757074696f6e42756467657412550a130a0370637412001a' +
      '0022002a00320038004200123212250a0a0a03617070120377656212170a04746965721202496e1a046261636b1a0566726f' +
      '6e741a09080110001a033530251a0a080018002000280030001a002200',
    json: {
      "kind": "PodDisruptionBudget",
      "apiVersion": "policy/v1",
      "metadata": {"name": "pct", "creationTimestamp": null},
      "spec": {
        "selector": {
          "matchLabels": {"app": "web"},
          "matchExpressions": [{"key": "tier", "operator": "In", "values": ["back", "front"]}],
        },
        "maxUnavailable": "50%",
      },
      "status": {"disruptionsAllowed": 0, "currentHealthy": 0, "desiredHealthy": 0, "expectedPods": 0},
    },
  },
  {
    name: 'create job from a cronjob with a rich pod template',
    command: 'kubectl create job manual-run --from=cronjob/nightly',
    url: '/apis/batch/v1/namespaces/default/jobs?fieldManager=kubectl-create&fieldValidation=Strict',
    hex:
      '6b3873000a0f0a0862617463682f763112034a6f6212c2120aa9010a0a6d616e75616c2d72756e12001a0022002a00320038' +
      '0042005a0c0a047465616d120464617461622b0a2163726f6e6a6f622e6b756265726e657465732e696f2f696e7374616e74' +
      '6961746512066d616e75616c620c0a046e6f74651204726963686a440a0743726f6e4a6f621a076e696768746c7922243666' +
      '3163376135322d316431652d346435652d396135332d3030303030303030303030312a0862617463682f7631300112891108' +
      '02100418901c3286100a200a0012001a0022002a003200380042005a0e0a0361707012076e696768746c7912e10f0a1a0a04' +
      '64617461121212100a064d656d6f727912060a0436344d690a250a03636667121e9a011b0a050a03617070120d0a01611205' +
      '612e74787418800218a40320000a0f0a03736563120832060a02646218000a700a0470726f6a1268d201650a1322110a0576' +
      '61756c7410901c1a05746f6b656e0a21121f0a1d0a066c6162656c7312130a00120f6d657461646174612e6c6162656c730a' +
      '0b1a090a050a0361707020010a1b2a19120d6578616d706c652e636f6d2f731a00220663612e70656d10a4020a160a04686f' +
      '7374120e0a0c0a082f7661722f6c6f6712000a110a03707663120a52080a046461746110000a760a03726177126fea016c0a' +
      '6a0a180a0012001a0022002a003200380042005a060a0178120179124e0a0d5265616457726974654f6e6365121212100a07' +
      '73746f7261676512050a033147691a002a003205426c6f636b421e0a00121550657273697374656e74566f6c756d65436c61' +
      '696d1a037372630a1f0a036e667312183a160a096e66732e6c6f63616c12072f6578706f727418010a310a03696d67122af2' +
      '01270a1772656769737472792e6578616d706c652f646174613a31120c49664e6f7450726573656e740a380a036373691231' +
      'e2012e0a13686f7374706174682e6373692e6b38732e696f22090a0473697a651201312a0c0a0a6373692d73656372657412' +
      'fd050a046d61696e121672656769737472792e6578616d706c652f6a6f623a3222062d2d666c61672201782a052f776f726b' +
      '32120a0468747470100018903f22035443502a00320e0a00100018824722035544502a003a0a0a05504c41494e1201763a09' +
      '0a05454d50545912003a1f0a044e4f444512001a150a130a027631120d737065632e6e6f64654e616d653a1e0a0450415353' +
      '12001a1422120a040a026462120870617373776f726418003a1a0a0343464712001a111a0f0a050a0361707012046d6f6465' +
      '18013a270a034d454d12001a1e121c0a046d61696e120d6c696d6974732e6d656d6f72791a050a03314d6942560a0a0a0363' +
      '707512030a01320a0f0a066d656d6f727912050a033147690a150a0e6e76696469612e636f6d2f67707512030a0131120d0a' +
      '0363707512060a043530306d12110a066d656d6f727912070a053531324d694a250a046461746110011a052f646174612201' +
      '782a0f486f7374546f436f6e7461696e657232004a1f0a0363666710001a082f6574632f636667220032003a084469736162' +
      '6c6564523b0a2d122b0a082f6865616c74687a120a080110001a04687474701a002204485454502a0b0a07582d50726f6265' +
      '120010051800200a2801300338005a1f0a130a110a036361740a0a2f746d702f72656164791000180020002800300062180a' +
      '10120e0a001206080010501a001a0022001204220208056a142f6465762f7465726d696e6174696f6e2d6c6f677206416c77' +
      '6179737a4e0a170a104e45545f42494e445f534552564943451203414c4c100020e807300138004a0744656661756c745a13' +
      '0a094c6f63616c686f73741206702e6a736f6e620c0a0a556e636f6e66696e65648001008801009001009a010f0a04415050' +
      '5f12070a050a036170709a010c0a001a080a040a0264621000a2011546616c6c6261636b546f4c6f67734f6e4572726f72aa' +
      '01100a0372617712092f6465762f78766461b201190a0d1a0b0a07080010903f1a00120010001800200028003000ba01120a' +
      '03637075120b4e6f745265717569726564123e0a0a70726f62652d67727063120762757379626f782a00420052130a072205' +
      '08a8461200100018002000280030006a007200800100880100900100a201001a054e65766572200028d80432044e6f6e653a' +
      '0b0a046469736b12037373644205726f626f744a005200580060006800725210001800200120022080bcc1960b28d00f30b8' +
      '173a1a0a126e65742e636f72652e736f6d6178636f6e6e1204313032344a0e4f6e526f6f744d69736d6174636852100a0e52' +
      '756e74696d6544656661756c747a090a07726567637265648201008a010092017f0a380a140a120a100a047a6f6e65120249' +
      '6e1a01611a01621220080a121c121a0a0d6d657461646174612e6e616d6512054e6f74496e1a026e391a4312410864123d0a' +
      '100a0e0a0361707012076e696768746c791a166b756265726e657465732e696f2f686f73746e616d652a11706f642d74656d' +
      '706c6174652d686173689a0100a2014d0a04696e6974120c62757379626f783a312e33361a0273681a022d631a0474727565' +
      '2a00420e120c0a0363707512050a0331306d6a007200800100880100900100a20100c20106416c77617973a80100b201260a' +
      '096465646963617465641205457175616c1a05626174636822094e6f457865637574652800b2010e0a001206457869737473' +
      '1a002200ba011c0a0831302e302e302e311207612e6c6f63616c1207622e6c6f63616cc201036c6f77c801fbffffffffffff' +
      'ffff01d201290a07312e312e312e3112097376632e6c6f63616c1a0a0a056e646f74731201321a070a0565646e7330d80101' +
      'e201130a116578616d706c652e636f6d2f7265616479ea0100f00100fa01054e6576657282020d0a0363707512060a043235' +
      '306d8202110a066d656d6f727912070a053132304d698a0231080112047a6f6e651a0d446f4e6f745363686564756c65220f' +
      '120d0a03617070120645786973747328023205486f6e6f72a202070a056c696e7578a80200b202170a15676174652e657861' +
      '6d706c652e636f6d2f77616974380040004a07496e646578656450005a500a2a0a074661696c4a6f62121f0a046d61696e12' +
      '02496e182a180018ffffffffffffffffff0118ffffffff070a220a0649676e6f72651a180a1044697372757074696f6e5461' +
      '726765741204547275656001680272064661696c65648201090a070a03302d3210031a082000280030003a001a002200',
    json: {
      "kind": "Job",
      "apiVersion": "batch/v1",
      "metadata": {
        "name": "manual-run",
        "creationTimestamp": null,
        "labels": {"team": "data"},
        "annotations": {"cronjob.kubernetes.io/instantiate": "manual", "note": "rich"},
        "ownerReferences": [
          {
            "apiVersion": "batch/v1",
            "kind": "CronJob",
            "name": "nightly",
            "uid": "6f1c7a52-1d1e-4d5e-9a53-000000000001",
            "controller": true,
          },
        ],
      },
      "spec": {
        "parallelism": 2,
        "completions": 4,
        "activeDeadlineSeconds": 3600,
        "podFailurePolicy": {
          "rules": [
            {
              "action": "FailJob",
              "onExitCodes": {"containerName": "main", "operator": "In", "values": [42, 0, -1, 2147483647]},
            },
            {"action": "Ignore", "onPodConditions": [{"type": "DisruptionTarget", "status": "True"}]},
          ],
        },
        "successPolicy": {"rules": [{"succeededIndexes": "0-2", "succeededCount": 3}]},
        "backoffLimit": 0,
        "backoffLimitPerIndex": 1,
        "maxFailedIndexes": 2,
        "template": {
          "metadata": {"creationTimestamp": null, "labels": {"app": "nightly"}},
          "spec": {
            "volumes": [
              {"name": "data", "emptyDir": {"medium": "Memory", "sizeLimit": "64Mi"}},
              {
                "name": "cfg",
                "configMap": {
                  "name": "app",
                  "items": [{"key": "a", "path": "a.txt", "mode": 256}],
                  "defaultMode": 420,
                  "optional": false,
                },
              },
              {"name": "sec", "secret": {"secretName": "db", "defaultMode": 0}},
              {
                "name": "proj",
                "projected": {
                  "sources": [
                    {"serviceAccountToken": {"audience": "vault", "expirationSeconds": 3600, "path": "token"}},
                    {
                      "downwardAPI": {"items": [{"path": "labels", "fieldRef": {"fieldPath": "metadata.labels"}}]},
                    },
                    {"configMap": {"name": "app", "optional": true}},
                    {
                      "clusterTrustBundle": {"signerName": "example.com/s", "labelSelector": {}, "path": "ca.pem"},
                    },
                  ],
                  "defaultMode": 292,
                },
              },
              {"name": "host", "hostPath": {"path": "/var/log", "type": ""}},
              {"name": "pvc", "persistentVolumeClaim": {"claimName": "data"}},
              {
                "name": "raw",
                "ephemeral": {
                  "volumeClaimTemplate": {
                    "metadata": {"creationTimestamp": null, "labels": {"x": "y"}},
                    "spec": {
                      "accessModes": ["ReadWriteOnce"],
                      "resources": {"requests": {"storage": "1Gi"}},
                      "storageClassName": "",
                      "volumeMode": "Block",
                      "dataSourceRef": {"apiGroup": "", "kind": "PersistentVolumeClaim", "name": "src"},
                    },
                  },
                },
              },
              {"name": "nfs", "nfs": {"server": "nfs.local", "path": "/export", "readOnly": true}},
              {"name": "img", "image": {"reference": "registry.example/data:1", "pullPolicy": "IfNotPresent"}},
              {
                "name": "csi",
                "csi": {
                  "driver": "hostpath.csi.k8s.io",
                  "volumeAttributes": {"size": "1"},
                  "nodePublishSecretRef": {"name": "csi-secret"},
                },
              },
            ],
            "initContainers": [
              {
                "name": "init",
                "image": "busybox:1.36",
                "command": ["sh", "-c", "true"],
                "resources": {"requests": {"cpu": "10m"}},
                "restartPolicy": "Always",
              },
            ],
            "containers": [
              {
                "name": "main",
                "image": "registry.example/job:2",
                "args": ["--flag", "x"],
                "workingDir": "/work",
                "ports": [
                  {"name": "http", "containerPort": 8080, "protocol": "TCP"},
                  {"containerPort": 9090, "protocol": "UDP"},
                ],
                "envFrom": [
                  {"prefix": "APP_", "configMapRef": {"name": "app"}},
                  {"secretRef": {"name": "db", "optional": false}},
                ],
                "env": [
                  {"name": "PLAIN", "value": "v"},
                  {"name": "EMPTY"},
                  {
                    "name": "NODE",
                    "valueFrom": {"fieldRef": {"apiVersion": "v1", "fieldPath": "spec.nodeName"}},
                  },
                  {
                    "name": "PASS",
                    "valueFrom": {"secretKeyRef": {"name": "db", "key": "password", "optional": false}},
                  },
                  {
                    "name": "CFG",
                    "valueFrom": {"configMapKeyRef": {"name": "app", "key": "mode", "optional": true}},
                  },
                  {
                    "name": "MEM",
                    "valueFrom": {
                      "resourceFieldRef": {"containerName": "main", "resource": "limits.memory", "divisor": "1Mi"},
                    },
                  },
                ],
                "resources": {
                  "limits": {"cpu": "2", "memory": "1Gi", "nvidia.com/gpu": "1"},
                  "requests": {"cpu": "500m", "memory": "512Mi"},
                },
                "resizePolicy": [{"resourceName": "cpu", "restartPolicy": "NotRequired"}],
                "volumeMounts": [
                  {
                    "name": "data",
                    "readOnly": true,
                    "mountPath": "/data",
                    "subPath": "x",
                    "mountPropagation": "HostToContainer",
                  },
                  {"name": "cfg", "recursiveReadOnly": "Disabled", "mountPath": "/etc/cfg"},
                ],
                "volumeDevices": [{"name": "raw", "devicePath": "/dev/xvda"}],
                "livenessProbe": {
                  "httpGet": {
                    "path": "/healthz",
                    "port": "http",
                    "scheme": "HTTP",
                    "httpHeaders": [{"name": "X-Probe", "value": ""}],
                  },
                  "initialDelaySeconds": 5,
                  "periodSeconds": 10,
                  "successThreshold": 1,
                  "failureThreshold": 3,
                  "terminationGracePeriodSeconds": 0,
                },
                "readinessProbe": {"exec": {"command": ["cat", "/tmp/ready"]}},
                "startupProbe": {"tcpSocket": {"port": 8080}},
                "lifecycle": {"postStart": {"httpGet": {"port": 80}}, "preStop": {"sleep": {"seconds": 5}}},
                "terminationMessagePath": "/dev/termination-log",
                "terminationMessagePolicy": "FallbackToLogsOnError",
                "imagePullPolicy": "Always",
                "securityContext": {
                  "capabilities": {"add": ["NET_BIND_SERVICE"], "drop": ["ALL"]},
                  "privileged": false,
                  "runAsUser": 1000,
                  "readOnlyRootFilesystem": true,
                  "allowPrivilegeEscalation": false,
                  "procMount": "Default",
                  "seccompProfile": {"type": "Localhost", "localhostProfile": "p.json"},
                  "appArmorProfile": {"type": "Unconfined"},
                },
              },
              {
                "name": "probe-grpc",
                "image": "busybox",
                "resources": {},
                "livenessProbe": {"grpc": {"port": 9000, "service": ""}},
              },
            ],
            "restartPolicy": "Never",
            "terminationGracePeriodSeconds": 0,
            "activeDeadlineSeconds": 600,
            "dnsPolicy": "None",
            "nodeSelector": {"disk": "ssd"},
            "serviceAccountName": "robot",
            "automountServiceAccountToken": false,
            "shareProcessNamespace": true,
            "securityContext": {
              "runAsUser": 0,
              "runAsGroup": 3000,
              "runAsNonRoot": false,
              "supplementalGroups": [1, 2, 3000000000],
              "fsGroup": 2000,
              "sysctls": [{"name": "net.core.somaxconn", "value": "1024"}],
              "fsGroupChangePolicy": "OnRootMismatch",
              "seccompProfile": {"type": "RuntimeDefault"},
            },
            "imagePullSecrets": [{"name": "regcred"}],
            "affinity": {
              "nodeAffinity": {
                "requiredDuringSchedulingIgnoredDuringExecution": {
                  "nodeSelectorTerms": [{"matchExpressions": [{"key": "zone", "operator": "In", "values": ["a", "b"]}]}],
                },
                "preferredDuringSchedulingIgnoredDuringExecution": [
                  {
                    "weight": 10,
                    "preference": {"matchFields": [{"key": "metadata.name", "operator": "NotIn", "values": ["n9"]}]},
                  },
                ],
              },
              "podAntiAffinity": {
                "preferredDuringSchedulingIgnoredDuringExecution": [
                  {
                    "weight": 100,
                    "podAffinityTerm": {
                      "labelSelector": {"matchLabels": {"app": "nightly"}},
                      "topologyKey": "kubernetes.io/hostname",
                      "matchLabelKeys": ["pod-template-hash"],
                    },
                  },
                ],
              },
            },
            "tolerations": [
              {
                "key": "dedicated",
                "operator": "Equal",
                "value": "batch",
                "effect": "NoExecute",
                "tolerationSeconds": 0,
              },
              {"operator": "Exists"},
            ],
            "hostAliases": [{"ip": "10.0.0.1", "hostnames": ["a.local", "b.local"]}],
            "priorityClassName": "low",
            "priority": -5,
            "dnsConfig": {
              "nameservers": ["1.1.1.1"],
              "searches": ["svc.local"],
              "options": [{"name": "ndots", "value": "2"}, {"name": "edns0"}],
            },
            "readinessGates": [{"conditionType": "example.com/ready"}],
            "runtimeClassName": "",
            "enableServiceLinks": false,
            "preemptionPolicy": "Never",
            "overhead": {"cpu": "250m", "memory": "120Mi"},
            "topologySpreadConstraints": [
              {
                "maxSkew": 1,
                "topologyKey": "zone",
                "whenUnsatisfiable": "DoNotSchedule",
                "labelSelector": {"matchExpressions": [{"key": "app", "operator": "Exists"}]},
                "minDomains": 2,
                "nodeAffinityPolicy": "Honor",
              },
            ],
            "os": {"name": "linux"},
            "hostUsers": false,
            "schedulingGates": [{"name": "gate.example.com/wait"}],
          },
        },
        "ttlSecondsAfterFinished": 0,
        "completionMode": "Indexed",
        "suspend": false,
        "podReplacementPolicy": "Failed",
      },
      "status": {},
    },
  },
  {
    name: 'create serviceaccount',
    command: 'kubectl create serviceaccount robot',
    url: '/api/v1/namespaces/default/serviceaccounts?fieldManager=kubectl-create&fieldValidation=Strict',
    hex:
      '6b3873000a140a027631120e536572766963654163636f756e7412170a150a05726f626f7412001a0022002a003200380042' +
      '001a002200',
    json: {"kind": "ServiceAccount", "apiVersion": "v1", "metadata": {"name": "robot", "creationTimestamp": null}},
  },
];
