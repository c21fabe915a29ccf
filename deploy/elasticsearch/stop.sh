#!/usr/bin/env bash
# Stop the node that start.sh started (pid file in RDM_ES_HOME, default deploy/elasticsearch/data).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
pidfile="${RDM_ES_HOME:-$here/data}/node.pid"
[ -s "$pidfile" ] || { echo "No Elasticsearch node pid file at $pidfile"; exit 0; }
pid="$(cat "$pidfile")"
if kill -0 "$pid" 2>/dev/null; then
  kill "$pid"
  for _ in $(seq 30); do kill -0 "$pid" 2>/dev/null || break; sleep 1; done
  kill -0 "$pid" 2>/dev/null && kill -9 "$pid"
  echo "Elasticsearch node (pid $pid) stopped"
fi
rm -f "$pidfile"
