# Sourced by scripts/demo-guest: the module answers.
step "$KNETMON" --version
step "$KNETMON" info
step "$KNETMON" info -j
