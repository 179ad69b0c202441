#!/usr/bin/env bash
# FreeDict's dictionaries from 18 EU languages into English (Debian's dict-freedict-<lang>-eng, 48 MB): without a
# model, a question in one of those languages is searched in English word by word (assistant/text/bilingual.py).
# `make run` installs them where it can and goes on without them otherwise (such a question is then searched as
# written); `make test` needs them (--required), as its tests read the real dictionaries.
set -euo pipefail
languages=(ces dan deu ell fin fra gle hrv hun ita lit nld pol por slk slv spa swe)
folder="${ASSISTANT_DICTIONARY_DIR:-/usr/share/dictd}"
missing=()
for language in "${languages[@]}"; do
  [ -e "$folder/freedict-$language-eng.index" ] || missing+=("dict-freedict-$language-eng")
done
if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi
if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null; then
  export DEBIAN_FRONTEND=noninteractive
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null 2>&1 \
    || { apt-get update -qq && apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null; }
  exit 0
fi
echo "Questions in other languages are searched as written until the dictionaries are installed:" \
  "sudo apt-get install -y ${missing[*]}" >&2
[ "${1:-}" = "--required" ] && exit 1
exit 0
