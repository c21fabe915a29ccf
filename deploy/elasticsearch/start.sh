#!/usr/bin/env bash
# Start one real Elasticsearch 8 node on loopback in the background and wait until it serves.
#   RDM_ES_HOME   node home (data, logs, pid file); default deploy/elasticsearch/data
#   RDM_ES_PORT   HTTP port (default 9200); RDM_ES_TRANSPORT_PORT (default 9300)
#   RDM_ES_JAVA_OPTS  JVM options (default -Xms512m -Xmx1g)
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
home="${RDM_ES_HOME:-$here/data}"
port="${RDM_ES_PORT:-9200}"
transport_port="${RDM_ES_TRANSPORT_PORT:-9300}"
url="http://127.0.0.1:$port"
pidfile="$home/node.pid"
log="$home/node.log"
timeout="${RDM_ES_START_TIMEOUT:-180}"

healthy() {
  local target="$url/_cluster/health?wait_for_status=yellow&timeout=1s"
  if command -v curl >/dev/null; then
    curl -sf -o /dev/null --max-time 5 "$target"
  else
    python3 -c "import sys,urllib.request; urllib.request.urlopen(sys.argv[1], timeout=5)" "$target" 2>/dev/null
  fi
}

if healthy; then
  echo "Elasticsearch already running at $url"
  exit 0
fi

for tool in java mvn; do
  command -v "$tool" >/dev/null || { echo "start.sh: '$tool' is missing (apt-get install default-jdk-headless maven)" >&2; exit 1; }
done

cd "$here"
# Rebuild only when the sources changed since the last build.
if [ ! -s target/classpath.txt ] || [ -n "$(find pom.xml src -newer target/classpath.txt -print -quit)" ]; then
  echo "Building the Elasticsearch node (Maven)..."
  build_log="$(mktemp)"
  # Offline first (a warm ~/.m2 needs no network), then online.
  if ! mvn -B -q -o -Dstyle.color=never package >"$build_log" 2>&1; then
    mvn -B -q -Dstyle.color=never package >"$build_log" 2>&1 || {
      cat "$build_log" >&2; echo "start.sh: Maven build failed" >&2; exit 1; }
  fi
  rm -f "$build_log"
fi

mkdir -p "$home"
if [ -s "$pidfile" ] && kill -0 "$(cat "$pidfile")" 2>/dev/null; then
  echo "start.sh: a node (pid $(cat "$pidfile")) is running but $url does not answer; see $log" >&2
  exit 1
fi
# shellcheck disable=SC2086
nohup setsid java ${RDM_ES_JAVA_OPTS:--Xms512m -Xmx1g} -cp "target/classes:$(cat target/classpath.txt)" \
  rdm.esnode.Main "$home" "$port" "$transport_port" >"$log" 2>&1 </dev/null &
echo $! >"$pidfile"

for _ in $(seq "$timeout"); do
  if healthy; then
    echo "Elasticsearch 8 node ready at $url (pid $(cat "$pidfile"), log $log)"
    exit 0
  fi
  if ! kill -0 "$(cat "$pidfile")" 2>/dev/null; then
    echo "start.sh: the Elasticsearch node exited during start-up; last lines of $log:" >&2
    tail -n 40 "$log" >&2
    rm -f "$pidfile"
    exit 1
  fi
  sleep 1
done
echo "start.sh: Elasticsearch did not become healthy at $url within ${timeout}s; see $log" >&2
exit 1
