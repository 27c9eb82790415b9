"""Drives kubets with the official Python client (Debian's python3-kubernetes).

Usage: python3 official_client.py KUBECONFIG
Prints one line per check; exits non-zero on the first failure.
"""
import sys
import threading

from kubernetes import client, config, watch
from kubernetes.client.rest import ApiException


def check(name, ok, detail=""):
    print(("ok " if ok else "FAIL ") + name + ((": " + detail) if detail and not ok else ""))
    if not ok:
        sys.exit(1)


def main():
    config.load_kube_config(config_file=sys.argv[1])
    core = client.CoreV1Api()
    apps = client.AppsV1Api()
    ns = "py-client"
    core.create_namespace(client.V1Namespace(metadata=client.V1ObjectMeta(name=ns)))

    cm = core.create_namespaced_config_map(ns, client.V1ConfigMap(metadata=client.V1ObjectMeta(name="settings", labels={"app": "py"}), data={"mode": "fast"}))
    check("create returns the stored object", cm.metadata.uid is not None and cm.data == {"mode": "fast"})

    got = core.read_namespaced_config_map("settings", ns)
    check("read returns it", got.metadata.resource_version == cm.metadata.resource_version)

    listed = core.list_namespaced_config_map(ns, label_selector="app in (py,other)")
    check("list filters by a set-based label selector", [i.metadata.name for i in listed.items] == ["settings"])

    got.data["mode"] = "slow"
    replaced = core.replace_namespaced_config_map("settings", ns, got)
    check("replace writes a new resourceVersion", replaced.metadata.resource_version != cm.metadata.resource_version)

    try:
        core.replace_namespaced_config_map("settings", ns, got)
        check("a stale replace is a conflict", False, "no error")
    except ApiException as e:
        check("a stale replace is a 409 Conflict", e.status == 409 and '"reason":"Conflict"' in e.body.replace(" ", ""))

    patched = core.patch_namespaced_config_map("settings", ns, {"data": {"extra": "1"}})
    check("patch (strategic merge) merges data", patched.data == {"mode": "slow", "extra": "1"})

    dep = client.V1Deployment(
        metadata=client.V1ObjectMeta(name="web"),
        spec=client.V1DeploymentSpec(
            replicas=2,
            selector=client.V1LabelSelector(match_labels={"app": "web"}),
            template=client.V1PodTemplateSpec(
                metadata=client.V1ObjectMeta(labels={"app": "web"}),
                spec=client.V1PodSpec(containers=[client.V1Container(name="web", image="nginx:1.27")]),
            ),
        ),
    )
    created = apps.create_namespaced_deployment(ns, dep)
    check("deployment defaults are applied", created.spec.strategy.type == "RollingUpdate" and created.spec.revision_history_limit == 10)
    scale = apps.patch_namespaced_deployment_scale("web", ns, {"spec": {"replicas": 4}})
    check("the scale subresource changes replicas", scale.spec.replicas == 4 and apps.read_namespaced_deployment("web", ns).spec.replicas == 4)

    try:
        core.read_namespaced_config_map("missing", ns)
        check("a missing object is NotFound", False, "no error")
    except ApiException as e:
        check("a missing object is a 404", e.status == 404)

    events = []
    start_rv = core.list_namespaced_config_map(ns).metadata.resource_version
    w = watch.Watch()

    def consume():
        for ev in w.stream(core.list_namespaced_config_map, ns, resource_version=start_rv, timeout_seconds=10):
            events.append((ev["type"], ev["object"].metadata.name))
            if len(events) >= 2:
                w.stop()

    t = threading.Thread(target=consume)
    t.start()
    core.create_namespaced_config_map(ns, client.V1ConfigMap(metadata=client.V1ObjectMeta(name="watched")))
    core.delete_namespaced_config_map("watched", ns)
    t.join(15)
    check("watch streams ADDED then DELETED", events == [("ADDED", "watched"), ("DELETED", "watched")], repr(events))

    core.delete_namespaced_config_map("settings", ns)
    check("delete removes the object", [i.metadata.name for i in core.list_namespaced_config_map(ns).items] == [])
    print("all checks passed")


if __name__ == "__main__":
    main()
