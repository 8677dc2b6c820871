#!/bin/sh
# Lays out hemalink's configuration the way a server runs it, for the Docker image and the
# systemd unit alike (and for the test that checks it, tests/packaging):
#   CONFIG_DIR/hemalink.json    the example lab, its spool and drop folders moved under STATE_DIR
#   CONFIG_DIR/mappings/*.json  the shipped mapping tables
#   CONFIG_DIR/rules/*.json     the shipped rule sets and their cases
#   CONFIG_DIR/lis/*.json       the example LIS's test codes
#   CONFIG_DIR/qc/*.json        the example control definitions
#   STATE_DIR/spool, STATE_DIR/drop/facs-1
#   STATE_DIR/api-tokens.json   named as api.tokens_file (made by `hemalink token --tokens-file`)
# Everything the example configuration names by a relative path is copied beside it.
#
#   scripts/install_config.sh SOURCE_CONFIG_DIR CONFIG_DIR STATE_DIR
#   e.g. scripts/install_config.sh config /etc/hemalink /var/lib/hemalink
set -eu
if [ $# -ne 3 ]; then
  echo "usage: $0 SOURCE_CONFIG_DIR CONFIG_DIR STATE_DIR" >&2
  exit 2
fi
source_dir=$1
config_dir=$2
state_dir=$3

mkdir -p "$config_dir/mappings" "$config_dir/rules" "$config_dir/lis" "$config_dir/qc" \
  "$state_dir/spool" \
  "$state_dir/drop/facs-1"
cp "$source_dir"/mappings/*.json "$config_dir/mappings/"
cp "$source_dir"/lis/*.json "$config_dir/lis/"
cp "$source_dir"/rules/*.json "$config_dir/rules/"
cp "$source_dir"/qc/*.json "$config_dir/qc/"
sed -e "s|\"\.\./var/spool\"|\"$state_dir/spool\"|" \
    -e "s|\"\.\./var/drop/facs-1\"|\"$state_dir/drop/facs-1\"|" \
    -e "s|\"\.\./var/api-tokens.json\"|\"$state_dir/api-tokens.json\"|" \
    "$source_dir/hemalink.example.json" >"$config_dir/hemalink.json"
chmod 0640 "$config_dir/hemalink.json"
