#!/usr/bin/env bash
# The layers of lib/ (docs/architecture.md) include only downwards: every
# #include "X/..." in lib/LAYER/ names a header of LAYER itself or of a layer
# LAYER builds on. A header's layer is the lib/*/include/ directory that holds
# it. CMake already refuses most such includes (a layer sees only the include
# directories of what it links); this check also catches a link added to
# CMakeLists.txt to make a wrong include compile.
# Public headers (lib/*/include/msocket/*.hpp) are all an installed libmsocket
# ships: they include only each other, the standard library and the system's
# and Boost's headers.
# Usage: layers.sh [TREE]   (TREE defaults to this checkout)
set -euo pipefail
TREE=${1:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}
cd "$TREE/lib"

# What each layer may include besides itself (transitively closed).
declare -A allowed=(
  [core]=""
  [wire]="core"
  [sched]="core"
  [paths]="core"
  [names]="core"
  [testbed]="core"
  [session]="core wire sched"
  [transport]="core wire sched session paths"
  [proxy]="core names"
  [api]="core wire sched session paths transport names proxy"
  [relay]="core wire sched session paths transport names proxy api"
)

# owner HEADER: the layer whose include directory holds HEADER, or nothing.
owner() {
  local dir
  for dir in */include; do
    if [[ -f $dir/$1 ]]; then
      echo "${dir%/include}"
      return
    fi
  done
}

failures=0
checked=0
for layer in */; do
  layer=${layer%/}
  [[ -v allowed[$layer] ]] || { echo "FAIL: lib/$layer is a layer this check does not know"; failures=$((failures + 1)); continue; }
  while IFS=: read -r file line header; do
    checked=$((checked + 1))
    from=$(owner "$header")
    [[ -n $from ]] || continue  # a header beside its source file, or a system one in quotes
    [[ $from == "$layer" || " ${allowed[$layer]} " == *" $from "* ]] && continue
    echo "FAIL: lib/$file:$line includes $header, of layer $from, which $layer may not use"
    failures=$((failures + 1))
  done < <(grep -rnoE '^#include "[^"]+"' "$layer" | sed -E 's/#include "([^"]+)"/\1/')
done

# Dependencies an application of the installed library need not have.
private_dependencies='^(spdlog|fmt|sodium|catch2)([/.]|$)'
public=0
for header in */include/msocket/*.hpp; do
  public=$((public + 1))
  while IFS=: read -r line included; do
    name=${included:1:-1}
    if [[ $included == \"* ]]; then
      [[ $name == msocket/* ]] && continue
    elif [[ -z $(owner "$name") && ! $name =~ $private_dependencies ]] || [[ $name == msocket/* ]]; then
      continue
    fi
    echo "FAIL: lib/$header:$line includes $included; a public header includes only msocket/, system and Boost headers"
    failures=$((failures + 1))
  done < <(grep -noE '^#[[:space:]]*include[[:space:]]*["<][^">]+[">]' "$header" |
             sed -E 's/#[[:space:]]*include[[:space:]]*//')
done

((checked > 100)) || { echo "FAIL: only $checked includes found under $TREE/lib"; exit 1; }
((public >= 5)) || { echo "FAIL: only $public public headers found under $TREE/lib/*/include/msocket"; exit 1; }
if ((failures)); then
  echo "$failures include(s) go up or sideways, or out of the public headers"
  exit 1
fi
echo "ok: $checked includes in lib/ go down or stay in their layer; $public public headers include only public ones"
