# A node that runs real containers: the kubets image plus containerd, runc, the CNI plugins,
# iptables, ip and the pod images (see deploy/build-images.sh). Runs privileged, with its
# containerd's root on a volume (overlayfs cannot sit on the container's own overlay).
ARG BASE_IMAGE=kubets/kubets:latest
FROM ${BASE_IMAGE}
COPY rootfs/ /
# runc, iptables and ip live in sbin, where containerd and the CNI plugins look them up.
ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
