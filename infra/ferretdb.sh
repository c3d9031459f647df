# shellcheck shell=bash
# FerretDB 1.24 with the SQLite backend: a MongoDB wire-protocol server in one Go binary.
# Sourced by infra/local.sh, which defines CACHE, STATE, HOST, the ports and the helpers.

FERRETDB_VERSION=v1.24.0
FERRETDB_MODULE=github.com/FerretDB/FerretDB
FERRETDB_BIN=$CACHE/bin/ferretdb
FERRETDB_DIR=$STATE/ferretdb
FERRETDB_DATA=$FERRETDB_DIR/data
FERRETDB_LOG=$FERRETDB_DIR/ferretdb.log
# What the binary in the cache was built from; another value rebuilds it.
FERRETDB_BUILD="$FERRETDB_VERSION+id-index+untracked"
FERRETDB_STAMP=$FERRETDB_BIN.build
# SQLite settings of every database file, appended to --sqlite-url (docs/privacy.md): an
# erased client's bytes must not linger in the files. secure_delete overwrites deleted
# content with zeros; FerretDB keeps SQLite in WAL mode, whose file still holds the old
# pages until it is reset, so checkpoint after every commit (wal_autocheckpoint) and cut
# the WAL back when it restarts (journal_size_limit): the next write to that database
# leaves no copy of what was deleted before it. Measured: no slower on this machine.
#
# Durability as MongoDB's standalone default (w:1, the journal flushed every 100 ms):
# SQLite's `synchronous(normal)` in WAL mode syncs at checkpoints instead of at every
# commit. A crash of FerretDB (or of any process) loses nothing (the writes are in
# the OS's cache); a power loss can lose the last commits, never corrupt. It halves
# FerretDB's CPU per write (0.64 -> 0.34 ms, updates and inserts by `_id`, side by side)
# and doubles what it writes per second (docs/benchmarks.md, "FerretDB's commits").
# This is the local store of `make run`, the tests and the benchmarks; production runs
# MongoDB (docker-compose, the Helm chart's values). FERRETDB_SYNCHRONOUS=full restores
# a sync per commit.
FERRETDB_SYNCHRONOUS=${FERRETDB_SYNCHRONOUS:-normal}
FERRETDB_SQLITE_PARAMS="_pragma=secure_delete(1)&_pragma=wal_autocheckpoint(1)&_pragma=journal_size_limit(0)&_pragma=synchronous($FERRETDB_SYNCHRONOUS)"
# Go's garbage collector: FerretDB allocates a lot per command (documents go through
# JSON) and keeps little, so at Go's default (GOGC=100) the collector took ~12 % of its
# CPU under loyalty's purchases (perf). GOGC=400 collects a quarter as often: point reads
# by `_id` cost 18-20 % less CPU (0.32 -> 0.26 ms, 16 concurrent clients, three runs
# side by side), reads and updates mixed 3-8 % less (docs/benchmarks.md, "FerretDB's
# GC"). The heap it keeps is a few tens of MB, so four times that is nothing here;
# GOMEMLIMIT caps it anyway. Both can be overridden from the environment.
FERRETDB_GOGC=${FERRETDB_GOGC:-400}
FERRETDB_GOMEMLIMIT=${FERRETDB_GOMEMLIMIT:-1GiB}

# `go install …/cmd/ferretdb@v1.24.0` does not work here: it aborts on the Go proxy's 403
# for the module's version list (deprecation check), and a binary built from the module
# zip panics at start because build/version/version.txt is not in the zip. So: download
# the module, copy it, write version.txt, patch, go build.
#
# The patch (one line, docs/store.md): FerretDB 1.24's SQLite backend creates its `_id`
# index on `_ferretdb_sjson->"_id"` but queries, updates and deletes by `_id` with
# `_ferretdb_sjson->'$._id'`. SQLite only uses an expression index for the same
# expression, so every point read and every write by `_id` scanned the whole table,
# parsing each document's JSON (a receipt lookup took 0.9 s at 7,000 receipts). The
# patch makes the query expression the index expression.
#
# The second patch (docs/store.md): FerretDB tracks the lifetime of every cursor, iterator
# and connection for leak detection (internal/util/resource: a pprof profile entry with
# its stack trace and a finalizer that panics if the object is never closed), on every
# command. perf on FerretDB under card lookups: 9 % of its CPU in `resource.Track`
# alone. A debugging aid, so `Track` and `Untrack` return at once.
ferretdb_patch() {
  local file=$1/internal/backends/sqlite/metadata/metadata.go
  grep -q "IDColumn = DefaultColumn + \"->'\$._id'\"" "$file" ||
    die "ferretdb: $file does not have the IDColumn line the patch expects"
  sed -i "s|IDColumn = DefaultColumn + \"->'\$._id'\"|IDColumn = DefaultColumn + \`->\"_id\"\`|" "$file"
  grep -q 'IDColumn = DefaultColumn + `->"_id"`' "$file" || die "ferretdb: patching $file failed"
  file=$1/internal/util/resource/resource.go
  grep -q '^func Track(obj any, token \*Token) {$' "$file" && grep -q '^func Untrack(obj any, token \*Token) {$' "$file" ||
    die "ferretdb: $file does not have the Track/Untrack lines the patch expects"
  sed -i -e 's|^func Track(obj any, token \*Token) {$|&\n\tif true {\n\t\treturn // clientele: no leak tracking\n\t}|' \
    -e 's|^func Untrack(obj any, token \*Token) {$|&\n\tif true {\n\t\treturn\n\t}|' "$file"
  [[ $(grep -c 'if true {' "$file") == 2 ]] || die "ferretdb: patching $file failed"
}

ferretdb_install() {
  if [[ -x $FERRETDB_BIN && -f $FERRETDB_STAMP && $(<"$FERRETDB_STAMP") == "$FERRETDB_BUILD" ]]; then
    return 0
  fi
  say "ferretdb: building $FERRETDB_BUILD into $FERRETDB_BIN (about a minute)…"
  local tmp src
  tmp=$(mktemp -d)
  src=$(cd "$tmp" && go mod download -json "$FERRETDB_MODULE@$FERRETDB_VERSION" |
    sed -n 's/^[[:space:]]*"Dir": "\([^"]*\)".*/\1/p')
  [[ -d $src ]] || die "ferretdb: go mod download $FERRETDB_MODULE@$FERRETDB_VERSION failed"
  cp -R "$src" "$tmp/src"
  chmod -R u+w "$tmp/src"
  echo "$FERRETDB_VERSION" >"$tmp/src/build/version/version.txt"
  ferretdb_patch "$tmp/src"
  go build -C "$tmp/src" -trimpath -o "$tmp/ferretdb" ./cmd/ferretdb
  mkdir -p "$(dirname "$FERRETDB_BIN")"
  mv -f "$tmp/ferretdb" "$FERRETDB_BIN"
  echo "$FERRETDB_BUILD" >"$FERRETDB_STAMP"
  rm -rf "$tmp"
}

ferretdb_start() {
  local t0 deadline=$((SECONDS + 30))
  t0=$(now_us)
  ferretdb_install
  mkdir -p "$FERRETDB_DATA" "$FERRETDB_DIR/state"
  if [[ -f $FERRETDB_LOG ]]; then mv -f "$FERRETDB_LOG" "$FERRETDB_LOG.prev"; fi
  say "ferretdb: starting on $HOST:$MONGO_PORT…"
  start_detached ferretdb "$MONGO_PORT" "$FERRETDB_DIR" "$FERRETDB_LOG" \
    env GOGC="$FERRETDB_GOGC" GOMEMLIMIT="$FERRETDB_GOMEMLIMIT" \
    "$FERRETDB_BIN" --handler=sqlite --sqlite-url="file:$FERRETDB_DATA/?$FERRETDB_SQLITE_PARAMS" \
    --state-dir="$FERRETDB_DIR/state" --listen-addr="$HOST:$MONGO_PORT" \
    --telemetry=disable --debug-addr=- --log-level=warn
  # Ready = a MongoDB {ping: 1} over the wire protocol answers ok: 1.
  wait_started ferretdb "$FERRETDB_BIN" "$FERRETDB_LOG" "$deadline" 30 0.1 probe mongo "$MONGO_PORT"
  say "ferretdb: up on $HOST:$MONGO_PORT in $(since "$t0") (pid $(<"$STATE/ferretdb.pid"), log $FERRETDB_LOG)"
}

ferretdb_up() { already_up ferretdb "$FERRETDB_BIN" "$MONGO_PORT" mongo MONGO_PORT || ferretdb_start; }
ferretdb_stop() { stop_service ferretdb "$FERRETDB_BIN"; }
ferretdb_status() { status_line ferretdb "$FERRETDB_BIN" "$MONGO_PORT" mongo "$FERRETDB_DATA"; }
