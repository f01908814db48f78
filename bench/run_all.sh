#!/usr/bin/env bash
# Every benchmark, one after another; each prints its own table with same-run baselines.
# Needs ../shared/data (each script skips cleanly without it) and bench/requirements.txt.
set -euo pipefail
cd "$(dirname "$0")/.."
py=.venv/bin/python
export TF_CPP_MIN_LOG_LEVEL=2
echo "== speed: tutorial pipeline vs LSTM Studio (seconds per epoch) =="
archs=lstm50_25tok,lstm50,bilstm50,stacked_lstm,stacked_bilstm
$py bench/speed.py --arch $archs --epochs 4 --repeat 3 --isolate --seeds 42,1,2 2>/dev/null
echo "-- same process, same thread settings for both (LSTM Studio's):"
$py bench/speed.py --arch $archs --epochs 4 --repeat 3 2>/dev/null
echo "-- one epoch's validation: padded, masked batches vs one batch per text length:"
$py bench/validation.py 2>/dev/null
echo "-- one-way networks' training step: the learned start once per batch vs with every text:"
$py bench/learned_start.py 2>/dev/null
echo "-- one-way networks' training step: each batch in 1, 2, 3 or 4 slices:"
$py bench/batch_slices.py 2>/dev/null
echo
echo "== Train click -> first chart point (news sample, default settings) =="
$py bench/first_point.py 2>/dev/null
echo
echo "== explain / predict / vectorize / CSV =="
$py bench/micro.py 2>/dev/null
echo "-- one Explain click at the default network, 30/100/200 words, now vs the previous path:"
$py bench/explain_sizes.py 2>/dev/null
echo
echo "== memory: peak RSS of a 120k x 50-token training epoch =="
$py bench/memory.py 2>/dev/null
echo
echo "== live page overhead: CLI vs app-driven training, same spec =="
$py bench/page_overhead.py --rounds 3 2>/dev/null  # rounds vary by ±8%: take a median of three
echo
echo "== load: 10 browser sessions on loopback, clicking on at once (stress) =="
$py bench/load.py 2>/dev/null || true  # its table says what failed; the other benchmarks still run
echo "-- the same, each browser session reading for 3 s after each step (a class at work):"
$py bench/load.py --think 3 2>/dev/null || true
echo "-- a fresh tab's first Evaluate: chart code loaded while the first page is read vs not:"
$py bench/first_chart.py 2>/dev/null
echo "-- behind deploy/nginx.conf: what a new browser downloads, and that the config works (needs nginx):"
$py bench/behind_proxy.py 2>/dev/null || true
echo
echo "== accuracy with default settings, three training seeds =="
$py bench/accuracy.py --seeds 42,1,2 ${ACCURACY_ONLY:+--only "$ACCURACY_ONLY"} 2>/dev/null | grep -v '^{'
echo
echo "== summary: every figure, baseline, ratio and target =="
$py bench/summary.py
