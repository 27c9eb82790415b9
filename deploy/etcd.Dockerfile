# etcd for the compose cluster. The default base is the host's etcd imported by build-images.sh;
# any image with etcd and etcdctl on PATH works (e.g. gcr.io/etcd-development/etcd:v3.4.23).
ARG BASE_IMAGE=kubets/etcd-base:3.4
FROM ${BASE_IMAGE}
EXPOSE 2379 2380
ENTRYPOINT ["etcd"]
