#!/usr/bin/env bash
# Parity of the Swift forward pass with the independent PyTorch port, for every architecture and
# ablation: installs the pinned Python packages if missing, builds the Swift helper (swift-predict),
# makes seeded untrained checkpoints in a temp dir and runs parity.py on each. One line per
# checkpoint; exits non-zero if any prediction differs by more than 1e-5 (or fails to run). Also
# compares the training loss and every parameter gradient (Swift tape vs torch autograd, dropout off).
#   Benchmarks/pytorch/run_parity.sh [--windows N]
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
repo="$(cd "$here/../.." && pwd)"
windows=300
if [[ "${1:-}" == "--windows" ]]; then windows="$2"; fi

if ! python3 -c 'import torch, safetensors, numpy' >/dev/null 2>&1; then
  python3 -m pip install --quiet --disable-pip-version-check -r "$here/requirements.txt"
fi

scratch="$repo/.build-parity"
(cd "$here/swift-predict" && swift build -c release --scratch-path "$scratch" >/dev/null)
helper="$scratch/release/mpcl-swift-predict"
export MPCL_SWIFT_PREDICT="$helper" OPENBLAS_NUM_THREADS=1

work="$(mktemp -d -t mpcl-parity.XXXXXX)"
trap 'rm -rf "$work"' EXIT

# name | make-checkpoint arguments
checkpoints=(
  "mpcl|--architecture mpcl --seed 3407"
  "mpcl-no-msam|--architecture mpcl --ablate msam --seed 3408"
  "mpcl-no-proto|--architecture mpcl --ablate proto --seed 3409"
  "mpcl-no-cooc|--architecture mpcl --ablate cooc --seed 3410"
  "mpcl-no-comp|--architecture mpcl --ablate comp --seed 3411"
  "mpcl-all-off|--architecture mpcl --ablate msam,proto,cooc,comp --seed 3412"
  "mlp|--architecture mlp --seed 3413"
  "linear|--architecture linear --seed 3414"
  "mean|--architecture mean --seed 3415"
  # Every parameter perturbed (LayerNorm gains, e^t, b·S non-trivial) and a sharper head, so the
  # predictions depend strongly on the input.
  "mpcl-perturbed|--architecture mpcl --seed 3416 --perturb 0.1 --head-gain 4"
  "mpcl-no-proto-perturbed|--architecture mpcl --ablate proto --seed 3417 --perturb 0.1 --head-gain 4"
  "mpcl-emotiondict|--architecture mpcl --layout emotiondict --seed 3418 --perturb 0.1 --head-gain 3"
)

failures=0
# The trained default model the server ships: parity on a real trained checkpoint too.
if ! python3 "$here/parity.py" --checkpoint "$repo/Sources/MPCLService/Resources/default.safetensors" \
  --windows "$windows" --name "default-trained" --gradients; then
  failures=$((failures + 1))
fi
for entry in "${checkpoints[@]}"; do
  name="${entry%%|*}"
  read -r -a arguments <<<"${entry#*|}"
  path="$work/$name.safetensors"
  if ! "$helper" make-checkpoint "${arguments[@]}" --out "$path"; then
    echo "$name: FAIL (could not make the checkpoint)"
    failures=$((failures + 1))
    continue
  fi
  if ! python3 "$here/parity.py" --checkpoint "$path" --windows "$windows" --name "$name" --gradients; then
    failures=$((failures + 1))
  fi
done
total=$((${#checkpoints[@]} + 1))
echo "parity: $((total - failures)) passed, $failures failed"
exit $((failures > 0))
