#!/usr/bin/env bash
# Checks notebooks/ on a Debian 12 machine with Go, installing what it needs (idempotent:
# a second run installs nothing and rebuilds nothing):
#   - Debian's Jupyter (nbconvert, nbclient, nbformat, ipykernel);
#   - GoNB, goimports and parquetcols, built from notebooks/tools (pinned in its go.mod)
#     into $SEGMINT_NOTEBOOK_HOME/bin, and the GoNB kernel registered in a Jupyter data
#     directory of its own ($SEGMINT_NOTEBOOK_HOME/jupyter), leaving the user's alone;
# then makes two real runs on the embedded demo data set (the second with --previous, so
# that every table exists), executes notebooks/segments-go.ipynb headless on the GoNB
# kernel (failing on any cell error, panic or failed command), and executes
# notebooks/segments.ipynb when pyarrow, pandas and matplotlib are importable, or else
# validates it: nbformat, and every column it reads against the run and docs/outputs.md.
set -euo pipefail
cd "$(dirname "$0")/.."
repo=$(pwd)
export PATH="/usr/local/go/bin:$PATH"
export GOFLAGS="${GOFLAGS:+$GOFLAGS }-buildvcs=false"
start=$SECONDS
say() { printf '== notebooks: %s\n' "$*"; }

home="${SEGMINT_NOTEBOOK_HOME:-${XDG_CACHE_HOME:-$HOME/.cache}/segmint-notebooks}"
bin="$home/bin"
export JUPYTER_DATA_DIR="$home/jupyter"
export PATH="$bin:$PATH"
# Debian's Python has the Jupyter packages; a python3 earlier on PATH (pyenv, a venv) may not.
py=/usr/bin/python3

# 1. Debian packages.
packages=(jupyter-nbconvert jupyter-client python3-nbclient python3-nbformat python3-ipykernel)
missing=()
for p in "${packages[@]}"; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if ((${#missing[@]})); then
	sudo=""
	[ "$(id -u)" -eq 0 ] || sudo=sudo
	say "apt-get install ${missing[*]}"
	$sudo apt-get update -qq
	DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
else
	say "Debian packages already installed: ${packages[*]}"
fi

# 2. GoNB, goimports and parquetcols from the tools module (go build is incremental).
say "building gonb, goimports and parquetcols into $bin"
mkdir -p "$bin"
(cd notebooks/tools && go build -o "$bin/" github.com/janpfeifer/gonb golang.org/x/tools/cmd/goimports ./parquetcols)
# gopls only gives auto-completion in an interactive notebook; --force_deps installs without it.
gonb --install --force_deps >"$home/gonb-install.log" 2>&1 || { cat "$home/gonb-install.log"; exit 1; }
say "GoNB $(gonb -V 2>/dev/null | head -1) kernel registered in $JUPYTER_DATA_DIR/kernels/gonb"

# 3. Two real runs on the embedded demo data set.
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
go run ./cmd/segmint run --out "$tmp/out" --quiet
go run ./cmd/segmint run --out "$tmp/next" --previous "$tmp/out" --quiet
say "segmint runs written to $tmp/out and $tmp/next (with --previous): $(cd "$tmp/next" && echo *.parquet)"

# 4. The Go notebook, executed headless.
say "executing notebooks/segments-go.ipynb on the GoNB kernel"
if ! (cd notebooks && SEGMINT_OUT="$tmp/out" SEGMINT_REPO="$repo" "$py" -m nbconvert --to notebook --execute \
	--ExecutePreprocessor.timeout=600 --ExecutePreprocessor.kernel_name=gonb \
	--output-dir "$tmp" --output segments-go.out.ipynb segments-go.ipynb) >"$tmp/nbconvert-go.log" 2>&1; then
	grep -v '^I[0-9]' "$tmp/nbconvert-go.log" | tail -40
	echo "go notebook: FAILED (a cell did not compile or the kernel failed)"
	exit 1
fi
if ! "$py" notebooks/check_notebooks.py executed "$tmp/segments-go.out.ipynb" --expect "segments-go: done" --verbose; then
	echo "go notebook: FAILED (a cell panicked or a command failed)"
	exit 1
fi
echo "go notebook: executed"

# 5. The Python notebook: executed if its stack is importable, validated otherwise.
"$py" notebooks/check_notebooks.py validate notebooks/segments.ipynb notebooks/segments-go.ipynb
if "$py" -c 'import pyarrow, pandas, matplotlib' 2>/dev/null; then
	say "executing notebooks/segments.ipynb"
	if ! (cd notebooks && SEGMINT_OUT="$tmp/next" "$py" -m nbconvert --to notebook --execute \
		--ExecutePreprocessor.timeout=600 --ExecutePreprocessor.kernel_name=python3 \
		--output-dir "$tmp" --output segments.out.ipynb segments.ipynb) >"$tmp/nbconvert-py.log" 2>&1; then
		tail -40 "$tmp/nbconvert-py.log"
		echo "python notebook: FAILED"
		exit 1
	fi
	"$py" notebooks/check_notebooks.py executed "$tmp/segments.out.ipynb"
	echo "python notebook: executed"
else
	why=$("$py" -c 'import pyarrow' 2>/dev/null && echo "pandas or matplotlib not importable" || echo "pyarrow not importable")
	"$bin/parquetcols" "$tmp"/next/*.parquet >"$tmp/columns.tsv"
	doc=()
	[ -f docs/outputs.md ] && doc=(--doc docs/outputs.md)
	"$py" notebooks/check_notebooks.py contract notebooks/segments.ipynb --columns "$tmp/columns.tsv" "${doc[@]}" | tee "$tmp/contract.log"
	n=$(tail -1 "$tmp/contract.log" | cut -d' ' -f1)
	echo "python notebook: validated only ($why): $n columns checked against the contract"
fi
say "done in $((SECONDS - start)) s"
