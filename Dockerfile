# The loadwatch service: TypeScript run by tsx (a runtime dependency, so --omit=dev keeps it).
FROM node:20-slim

WORKDIR /app
ENV NODE_ENV=production

COPY package.json package-lock.json ./
RUN npm ci --omit=dev && npm cache clean --force

# Only what `npm start` reads: the sources (migrations included), the dashboard, the TypeScript settings.
COPY tsconfig.json ./
COPY src ./src
COPY dashboards ./dashboards

# DATA_DIR holds the ingest journal (acknowledged messages not yet stored): mount a persistent volume on it.
ENV DATA_DIR=/data
RUN mkdir -p /data && chown node:node /data
USER node

EXPOSE 8080 1883
CMD ["npm", "start"]
