#!/usr/bin/env bash
# Build tvclient.app and a .dmg on macOS 12+ (Apple silicon or Intel: the build machine's own
# architecture). NOT RUN BY CI (the project's CI is Linux). Needs Python 3.11 and Git; hdiutil,
# codesign and xcrun come with macOS / the Xcode command line tools.
#
#   packaging/macos/make_dmg.sh
#   TVCLIENT_CODESIGN_IDENTITY="Developer ID Application: ..." TVCLIENT_NOTARY_PROFILE=tvclient \
#       packaging/macos/make_dmg.sh        # signed with the hardened runtime, notarized, stapled
#
# Output: dist/tvclient.app and dist/tvclient-<version>-macos-<arch>.dmg
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."

VENV=.venv-macos
[ -x "$VENV/bin/python" ] || python3.11 -m venv "$VENV"
"$VENV/bin/python" -m pip install --upgrade pip
"$VENV/bin/python" -m pip install -e ".[server,gamepad,package]"

version="$("$VENV/bin/python" -c "import tomllib; print(tomllib.load(open('pyproject.toml','rb'))['project']['version'])")"
commit="$(git rev-parse --short=12 HEAD)"
[ -z "$(git --no-optional-locks status --porcelain --untracked-files=no)" ] || commit="$commit+dirty"
mkdir -p build
echo "$commit $(date -u +%Y-%m-%d)" > build/_build.txt

"$VENV/bin/python" packaging/icons.py build/icons
"$VENV/bin/python" -m PyInstaller --noconfirm --distpath dist --workpath build/pyinstaller \
  packaging/tvclient.spec -- --build-stamp build/_build.txt --icons build/icons

app=dist/tvclient.app
if [ -n "${TVCLIENT_CODESIGN_IDENTITY:-}" ]; then
  codesign --deep --force --options runtime --timestamp \
    --sign "$TVCLIENT_CODESIGN_IDENTITY" "$app"
  codesign --verify --deep --strict "$app"
fi

# Smoke check: the frozen app starts its demo stack and draws a readable QR, offscreen.
"$app/Contents/MacOS/tvclient" --version
"$app/Contents/MacOS/tvclient" --self-test

stage="$(mktemp -d)"
trap 'rm -rf "$stage"' EXIT
cp -R "$app" "$stage/"
ln -s /Applications "$stage/Applications"
dmg="dist/tvclient-$version-macos-$(uname -m).dmg"
rm -f "$dmg"
hdiutil create -volname "tvclient $version" -srcfolder "$stage" -fs HFS+ -format UDZO -ov "$dmg"

if [ -n "${TVCLIENT_CODESIGN_IDENTITY:-}" ]; then
  codesign --force --timestamp --sign "$TVCLIENT_CODESIGN_IDENTITY" "$dmg"
  if [ -n "${TVCLIENT_NOTARY_PROFILE:-}" ]; then
    # Profile made once with: xcrun notarytool store-credentials tvclient --apple-id ... --team-id ...
    xcrun notarytool submit "$dmg" --keychain-profile "$TVCLIENT_NOTARY_PROFILE" --wait
    xcrun stapler staple "$dmg"
  fi
fi
echo "built $dmg"
