# Every kubets component in one image; the command picks it: `apiserver --etcd-servers=...`,
# `loadbalancer --backends=...`, `probe URL` (a healthcheck for images without a shell).
# The default base is the host's node imported by build-images.sh; node:20-bookworm-slim works too.
ARG BASE_IMAGE=kubets/node-base:20
FROM ${BASE_IMAGE}
WORKDIR /app
ENV NODE_ENV=production
# Dependencies first: they change far less often than the code.
COPY package.json package-lock.json ./
COPY node_modules ./node_modules
COPY dist ./dist
COPY proto ./proto
ENTRYPOINT ["node", "/app/dist/cmd/kubets/main.js"]
