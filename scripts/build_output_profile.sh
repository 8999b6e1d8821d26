#!/usr/bin/env bash
# Rebuild the bundled CMYK output profile src/plakat/icc/plakat-FOGRA39L-300.icc from the FOGRA39L
# characterization data in Debian's icc-profiles-free (zlib licence) with ArgyllCMS's colprof.
# Needs: apt-get install argyll icc-profiles-free. Takes about 30 s. colprof stamps the build date
# into the profile header, so a rebuild differs from the committed file in those bytes only.
set -euo pipefail
cd "$(dirname "$0")/.."
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cp /usr/share/color/icc/FOGRA39L.ti3 "$work/"
(cd "$work" && colprof -v -qm -kr -l300 -L95 -A "plakat" \
  -C "Built by ArgyllCMS colprof from FOGRA39L characterization data (Kai-Uwe Behrmann, zlib licence)" \
  -D "plakat FOGRA39L coated 300%" FOGRA39L >/dev/null)
cp "$work/FOGRA39L.icc" src/plakat/icc/plakat-FOGRA39L-300.icc
echo "wrote src/plakat/icc/plakat-FOGRA39L-300.icc"
