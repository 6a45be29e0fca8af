#!/usr/bin/env bash
# Install nppc with its extras (default: all). The `local` extra's llama.cpp is compiled here from
# llama-cpp-python's source for a CPU *baseline*, never for this host's CPU (GGML_NATIVE would bake in
# the build host's instructions, e.g. AVX-512 or AMX, and die with SIGILL on another machine), and the
# wheel is kept in a cache of our own whose key names the flags, so a wheel built with other flags
# (pip's own cache, keyed only by the source URL) is never picked up by mistake.
#
#   bash scripts/install.sh [EXTRAS]        e.g. all | all,test | api,analysis (no llama.cpp build)
#
# Environment:
#   NPPC_LLAMA_CMAKE_ARGS  CMake flags that replace the portable ones: a GPU build ("-DGGML_CUDA=on"),
#                          or a build for this machine only ("-DGGML_NATIVE=ON"); each gets its own cache.
#   NPPC_WHEEL_CACHE       where built wheels are kept (default: ~/.cache/nppc/wheels)
#   PYTHON                 the interpreter to install into (default: python)
set -euo pipefail
cd "$(dirname "$0")/.."
extras="${1:-all}"
python="${PYTHON:-python}"

wants_llama() {
    case ",$extras," in *,all,*|*,local,*) return 0 ;; *) return 1 ;; esac
}

# The portable instruction set for this architecture. x86-64: the x86-64-v3 level (AVX2, FMA, F16C,
# BMI2; every x86-64 server CPU since 2013), no AVX-512 and no AMX; a CPU without AVX2 gets SSE 4.2 only.
portable_cmake_args() {
    local flags
    flags="$(grep -m1 -E '^(flags|Features)' /proc/cpuinfo 2>/dev/null || true)"
    case "$(uname -m)" in
        x86_64|amd64)
            local off="-DGGML_AVX512=OFF -DGGML_AVX512_VBMI=OFF -DGGML_AVX512_VNNI=OFF -DGGML_AVX512_BF16=OFF"
            off="$off -DGGML_AVX_VNNI=OFF -DGGML_AMX_TILE=OFF -DGGML_AMX_INT8=OFF -DGGML_AMX_BF16=OFF"
            if [[ " $flags " == *" avx2 "* && " $flags " == *" fma "* && " $flags " == *" f16c "* && " $flags " == *" bmi2 "* ]]; then
                echo "x86-64-v3 -DGGML_NATIVE=OFF -DGGML_SSE42=ON -DGGML_AVX=ON -DGGML_AVX2=ON -DGGML_FMA=ON -DGGML_F16C=ON -DGGML_BMI2=ON $off"
            else
                echo "x86-64-v2 -DGGML_NATIVE=OFF -DGGML_SSE42=ON -DGGML_AVX=OFF -DGGML_AVX2=OFF -DGGML_FMA=OFF -DGGML_F16C=OFF -DGGML_BMI2=OFF $off"
            fi ;;
        *)
            echo "$(uname -m)-baseline -DGGML_NATIVE=OFF" ;;
    esac
}

find_links=()
if wants_llama; then
    version="$(grep -o -m1 'llama-cpp-python\[server\]==[0-9.]*' pyproject.toml | cut -d= -f3)"
    if [[ -n "${NPPC_LLAMA_CMAKE_ARGS:-}" ]]; then
        label="custom"; cmake_args="$NPPC_LLAMA_CMAKE_ARGS"
    else
        read -r label cmake_args <<<"$(portable_cmake_args)"
    fi
    key="$(printf '%s' "$version $cmake_args" | sha256sum | cut -c1-12)"
    wheels="${NPPC_WHEEL_CACHE:-$HOME/.cache/nppc/wheels}/llama-cpp-python-$version-$label-$key"
    if ! ls "$wheels"/llama_cpp_python-*.whl >/dev/null 2>&1; then
        echo "nppc: building llama-cpp-python $version for $label ($cmake_args); about 10 minutes on 2 cores, once" >&2
        mkdir -p "$wheels.tmp"
        CMAKE_ARGS="$cmake_args" CMAKE_BUILD_PARALLEL_LEVEL="$(nproc 2>/dev/null || echo 2)" \
            "$python" -m pip wheel --no-deps --no-cache-dir --no-binary llama-cpp-python \
            "llama-cpp-python==$version" -w "$wheels.tmp"
        printf '%s\n' "$cmake_args" > "$wheels.tmp/CMAKE_ARGS"
        rm -rf "$wheels" && mv "$wheels.tmp" "$wheels"
    fi
    # Replace whatever llama-cpp-python is installed (perhaps a native build) by the portable wheel.
    "$python" -m pip install --no-deps --force-reinstall "$wheels"/llama_cpp_python-*.whl
    find_links=(--find-links "$wheels")
fi
"$python" -m pip install ${find_links[@]+"${find_links[@]}"} -e ".[$extras]"
