#!/usr/bin/env bash
# What the tests need beyond `npm start`: the official Python client, for the e2e suite.
set -euo pipefail
if ! /usr/bin/python3 -c 'import kubernetes' >/dev/null 2>&1; then
  if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
    echo "kubets: installing the official Python client (Debian package python3-kubernetes)" >&2
    DEBIAN_FRONTEND=noninteractive apt-get install -y python3-kubernetes >&2 || { apt-get update >&2 && DEBIAN_FRONTEND=noninteractive apt-get install -y python3-kubernetes >&2; }
  else
    echo "kubets: the e2e tests need the official Python client: sudo apt-get install python3-kubernetes" >&2
    exit 1
  fi
fi

# Containerd nodes (the e2e suite runs pods on real containers): containerd with its CRI plugin,
# runc, the standard CNI plugins in /usr/lib/cni, gcc and a static libc for the pause image,
# iptables and iproute2 for the pod network.
need=()
[ -x /usr/bin/containerd ] && [ -x /usr/bin/ctr ] || need+=(containerd)
[ -x /usr/sbin/runc ] || need+=(runc)
[ -x /usr/lib/cni/bridge ] && [ -x /usr/lib/cni/firewall ] || need+=(containernetworking-plugins)
command -v gcc >/dev/null 2>&1 || need+=(gcc)
[ -f /usr/lib/x86_64-linux-gnu/libc.a ] || need+=(libc6-dev)
command -v iptables >/dev/null 2>&1 || need+=(iptables)
command -v ip >/dev/null 2>&1 || need+=(iproute2)
if [ "${#need[@]}" -gt 0 ]; then
  if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
    echo "kubets: installing what containerd nodes need: ${need[*]}" >&2
    DEBIAN_FRONTEND=noninteractive apt-get install -y "${need[@]}" >&2 || { apt-get update >&2 && DEBIAN_FRONTEND=noninteractive apt-get install -y "${need[@]}" >&2; }
  else
    echo "kubets: the containerd e2e tests need: sudo apt-get install ${need[*]}" >&2
  fi
fi
