#!/usr/bin/env bash
# The layers of hemalink include one way: a file may include headers of its own layer and of the
# layers below it, never above. Lowest first:
layers=(
  protocols          # codecs: bytes in, events and views out
  drivers/model      # the canonical result model
  drivers            # instrument drivers
  server/files       # the lab's files: JSON by path, positions, errors that say where
  server/transport   # how bytes arrive and leave
  server/metrics     # counters, histograms and their Prometheus text
  server/records     # what is kept: the value types of stored rows
  server/store       # the write path: PostgreSQL, the spool, and the toolkit the rooms persist with
  server/session     # protocol sessions without I/O
  server/qc          # quality control: the Westgard rules
  server/rules       # the rules engine
  server/config      # the analyzers' configuration and the transport readers analyzers and LIS share
  server/ingest      # a received message to what is stored
  server/orders      # orders from a LIS, host query answers, rerun and reflex steps
  server/lis         # results to the LIS: messages from outbox rows, delivery
  server/review      # what a technologist does to held results
  server/validation  # rule validation: the archive replayed through a candidate rule set
  server/simulate    # the analyzer simulator
  server/asio        # Asio's implementation, compiled once
  server/api         # the HTTP API: routes over the rooms' interfaces, the Beast server
  server/daemon      # the application shell: the composed configuration, one part per feature
  server/report      # what the decisions came to: the yield against a truth file
  server/cli         # subcommands
  server             # main.cpp
)
# Asio and Beast only where I/O happens; libpqxx (and libpq) only in the store, in the rooms that
# keep their own rows in PostgreSQL and in the API's reads of the lab's records (their *.cpp; no
# header outside the store includes it).
asio_layers=" server/transport server/lis server/simulate server/asio server/daemon server/api "
pqxx_layers=" server/store server/qc server/rules server/orders server/lis server/review server/validation server/api server/report "
#
# Usage: check_include_layers.sh [ROOT]   (default: the checkout this script is in)
# Prints each include that breaks the order, with file and line, and exits 1 if there is one.
set -euo pipefail
root=${1:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}
cd "$root"

# Sets `rank` and `layer` to the longest layer that `path` lies in (rank -1: none).
layer_of() {
  local path=$1 i best=-1 len=0
  for i in "${!layers[@]}"; do
    local l=${layers[$i]}
    if [[ $path == "$l"/* ]] && ((${#l} > len)); then
      best=$i
      len=${#l}
    fi
  done
  rank=$best
  layer=${layers[$best]:-}
}

failures=0
checked=0
while IFS= read -r file; do
  layer_of "$file"
  own_rank=$rank
  own_layer=$layer
  ((own_rank >= 0)) || continue
  checked=$((checked + 1))
  line_no=0
  while IFS= read -r line; do
    line_no=$((line_no + 1))
    [[ $line =~ ^[[:space:]]*#[[:space:]]*include[[:space:]]*([\"\<])([^\"\>]+) ]] || continue
    target=${BASH_REMATCH[2]}
    if [[ ${BASH_REMATCH[1]} == '"' ]]; then
      layer_of "$target"
      if ((rank > own_rank)); then
        echo "$file:$line_no: $own_layer/ includes $target, of the higher layer $layer/"
        failures=$((failures + 1))
      fi
    elif [[ $target == boost/asio* || $target == boost/beast* ]] && [[ $asio_layers != *" $own_layer "* ]]; then
      echo "$file:$line_no: $own_layer/ includes <$target>: Asio and Beast belong to$asio_layers"
      failures=$((failures + 1))
    elif [[ $target == pqxx* || $target == libpq-fe.h ]] && [[ $pqxx_layers != *" $own_layer "* ]]; then
      echo "$file:$line_no: $own_layer/ includes <$target>: libpqxx belongs to$pqxx_layers"
      failures=$((failures + 1))
    elif [[ $target == pqxx* || $target == libpq-fe.h ]] && [[ $file == *.hpp && $own_layer != server/store ]]; then
      echo "$file:$line_no: a header of $own_layer/ includes <$target>: outside the store only .cpp files do"
      failures=$((failures + 1))
    fi
  done <"$file"
done < <(find protocols drivers server -name '*.hpp' -o -name '*.cpp' 2>/dev/null | sort)

if ((checked == 0)); then
  echo "no source files under $root/{protocols,drivers,server}"
  exit 1
fi
if ((failures > 0)); then
  echo "$failures include(s) against the layer order, in $checked files"
  exit 1
fi
echo "include layers: $checked files, every include points down"
