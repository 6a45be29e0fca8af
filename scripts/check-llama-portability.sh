#!/usr/bin/env bash
# Run one real Gemma completion through the installed llama.cpp on an *emulated* older CPU, to show that
# the build does not need the instructions of the machine it was built on (AVX-512, AMX).
#
#   bash scripts/check-llama-portability.sh [QEMU_CPU]     (default Haswell: AVX2, no AVX-512, no AMX)
#
# Needs qemu-user (Debian: apt-get install qemu-user). Emulation is slow: about 2 minutes for 4 tokens.
# A build that uses an instruction the emulated CPU lacks dies with SIGILL here (exit code 132).
set -euo pipefail
cpu="${1:-Haswell}"
python="$(python -c 'import sys; print(sys.executable)')"
exec qemu-x86_64 -cpu "$cpu" "$python" -c '
import time
from npsolver.local_model import complete_in_process
started = time.time()
reply = complete_in_process("Reply with the word yes.", max_tokens=4)
print("completion tokens:", reply["usage"]["completion_tokens"], "text:", repr(reply["choices"][0]["message"]["content"]),
      f"({time.time() - started:.0f}s emulated)")
' 2> >(grep -v "TCG doesn.t support requested feature" >&2)
