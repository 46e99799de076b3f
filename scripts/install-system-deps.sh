#!/usr/bin/env bash
# Debian packages the test suite needs: Chromium for the Playwright browser tests (Playwright cannot
# download its own browsers here), CJK fonts so screenshots and documents show Chinese, and the office suite
# every .docx and .xlsx we produce is opened in (LibreOffice headless, poppler's pdftoppm/pdffonts for the
# renders). The 公文 font names fall back to the free fonts by scripts/fonts/65-tasktrack-gongwen.conf.
# Idempotent; needs root only when something is missing.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
missing=()
[ -x /usr/bin/chromium ] || missing+=(chromium)
for pkg in fonts-noto-cjk fonts-arphic-ukai libreoffice-writer-nogui libreoffice-calc-nogui poppler-utils; do
  dpkg -s "$pkg" >/dev/null 2>&1 || missing+=("$pkg")
done
conf=/etc/fonts/conf.d/65-tasktrack-gongwen.conf
conf_stale=0
cmp -s "$here/fonts/65-tasktrack-gongwen.conf" "$conf" || conf_stale=1
if [ ${#missing[@]} -eq 0 ] && [ "$conf_stale" -eq 0 ]; then
  exit 0
fi
if [ "$(id -u)" -ne 0 ]; then
  [ ${#missing[@]} -eq 0 ] || echo "Missing Debian packages: ${missing[*]} (run as root: apt-get install ${missing[*]})" >&2
  [ "$conf_stale" -eq 0 ] || echo "Font aliases not installed (run as root: cp $here/fonts/65-tasktrack-gongwen.conf $conf)" >&2
  exit 1
fi
export DEBIAN_FRONTEND=noninteractive
if [ ${#missing[@]} -gt 0 ]; then
  echo "Installing Debian packages: ${missing[*]}"
  apt-get update -qq
  apt-get install -y -qq "${missing[@]}" >/dev/null
fi
install -m 0644 "$here/fonts/65-tasktrack-gongwen.conf" "$conf"
fc-cache -f >/dev/null
