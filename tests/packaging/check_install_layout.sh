#!/usr/bin/env bash
# The configuration as the Docker image and the systemd unit lay it out (both through
# scripts/install_config.sh) passes `hemalink check-config`; and the check fails when the layout
# misses what the configuration names (the rule files), so a packaging gap breaks here, not at a
# hospital. There is no Docker engine on these machines: the layout is checked without one.
#   check_install_layout.sh HEMALINK_BINARY SOURCE_DIR
set -euo pipefail
hemalink=$1
source_dir=$2
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
fail() {
  echo "FAILED: $*" >&2
  exit 1
}

grep -q 'install_config.sh /tmp/hemalink-config /etc/hemalink /var/lib/hemalink' \
  "$source_dir/docker/Dockerfile" || fail "docker/Dockerfile does not lay out the configuration with scripts/install_config.sh"
grep -q 'hemalink check-config /etc/hemalink/hemalink.json' "$source_dir/docker/Dockerfile" ||
  fail "docker/Dockerfile does not check the configuration it installs"
grep -q 'scripts/install_config.sh config /etc/hemalink /var/lib/hemalink' \
  "$source_dir/config/hemalink.service" || fail "the unit's install steps do not use scripts/install_config.sh"
grep -q 'check-config /etc/hemalink/hemalink.json' "$source_dir/config/hemalink.service" ||
  fail "the unit does not check its configuration before it starts"

# As the image does: only config/ and the script, copied elsewhere (not the checkout).
cp -r "$source_dir/config" "$work/source-config"
cp "$source_dir/scripts/install_config.sh" "$work/install_config.sh"
"$work/install_config.sh" "$work/source-config" "$work/etc/hemalink" "$work/var/lib/hemalink"
rm -rf "$work/source-config"
"$hemalink" check-config "$work/etc/hemalink/hemalink.json" ||
  fail "check-config refuses the installed configuration"
[ -d "$work/var/lib/hemalink/spool" ] && [ -d "$work/var/lib/hemalink/drop/facs-1" ] ||
  fail "the state folders (spool, drop) are missing"
grep -q "\"$work/var/lib/hemalink/spool\"" "$work/etc/hemalink/hemalink.json" ||
  fail "the spool is not moved under the state folder"

# The check can fail: without the rule files (the gap the image once had), check-config refuses.
rm -rf "$work/etc/hemalink/rules"
if out=$("$hemalink" check-config "$work/etc/hemalink/hemalink.json" 2>&1); then
  fail "check-config accepted a layout without the rule files"
fi
grep -q 'cannot read the rules file' <<<"$out" || fail "unexpected refusal: $out"
echo "packaging layout: the installed configuration passes check-config"
