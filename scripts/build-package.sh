#!/usr/bin/env bash
# Builds minired's Debian packages (packaging/README.md):
#
#   scripts/build-package.sh                 Release build in build-package/, then the .debs
#   scripts/build-package.sh --build-dir D   package an existing build instead (CI packages
#                                            its sanitizer build to check the packaging)
#
# Prints the paths of minired-server_*.deb, minired-catalog_*.deb and
# libminired-client-dev_*.deb. Install with: sudo apt-get install ./build-package/minired-server_*.deb
set -euo pipefail
cd "$(dirname "$0")/.."

dir=build-package
reuse=0
while (( $# )); do
  case "$1" in
    --build-dir) dir=$2; reuse=1; shift 2 ;;
    *) echo "unknown option $1" >&2; exit 2 ;;
  esac
done

scripts/install-deps.sh
# dpkg-shlibdeps (the packages' dependencies) and fakeroot-free dpkg-deb come with dpkg-dev.
if ! dpkg-query -W -f='${Status}' dpkg-dev 2>/dev/null | grep -q "install ok installed"; then
  SUDO=""; [[ $(id -u) -ne 0 ]] && SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends dpkg-dev >/dev/null
fi

if (( reuse )); then
  # The /usr prefix puts the configuration under /etc (GNUInstallDirs); nothing rebuilds.
  cmake -S . -B "$dir" -DCMAKE_INSTALL_PREFIX=/usr >/dev/null
else
  cmake -S . -B "$dir" -G Ninja -DCMAKE_BUILD_TYPE=Release -DCMAKE_INSTALL_PREFIX=/usr \
    -DMINIRED_BUILD_TESTS=OFF >/dev/null
fi
# Progress to stderr: stdout is the list of packages.
cmake --build "$dir" -j"$(nproc)" >&2
rm -f "$dir"/*.deb
(cd "$dir" && cpack -G DEB >&2)
ls "$PWD/$dir"/*.deb
