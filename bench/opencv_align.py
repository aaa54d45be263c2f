"""The peer method on the same pairs as `eval_align`: OpenCV SIFT + ratio test +
estimateAffinePartial2D (RANSAC), as the issue names it. Reads DIR/pairs.json
(written by `cargo run --release --example eval_align -- --write DIR`), prints
one table with both methods side by side. Usage: opencv_align.py DIR"""
import json
import math
import os
import statistics
import sys
import time

import cv2
import numpy as np

d = sys.argv[1]
pairs = json.load(open(os.path.join(d, "pairs.json")))
sift = cv2.SIFT_create()
matcher = cv2.BFMatcher(cv2.NORM_L2)


def corner_error(m, truth, w, h):
    def apply(t, x, y):
        z = t[2][0] * x + t[2][1] * y + t[2][2]
        return ((t[0][0] * x + t[0][1] * y + t[0][2]) / z, (t[1][0] * x + t[1][1] * y + t[1][2]) / z)
    total = 0.0
    for x, y in [(0, 0), (w, 0), (w, h), (0, h)]:
        a, b = apply(m, x, y)
        c, e = apply(truth, x, y)
        total += math.hypot(a - c, b - e)
    return total / 4


def opencv_align(before, after):
    kb, db = sift.detectAndCompute(before, None)
    ka, da = sift.detectAndCompute(after, None)
    if db is None or da is None or len(kb) < 3 or len(ka) < 3:
        return None
    good = [m for m, n in (p for p in matcher.knnMatch(da, db, k=2) if len(p) == 2)
            if m.distance < 0.75 * n.distance]
    if len(good) < 3:
        return None
    src = np.float32([ka[m.queryIdx].pt for m in good])
    dst = np.float32([kb[m.trainIdx].pt for m in good])
    m, inliers = cv2.estimateAffinePartial2D(src, dst, method=cv2.RANSAC, ransacReprojThreshold=3.0)
    if m is None:
        return None
    # OpenCV keypoints use pixel-centre coordinates (0,0 = centre of the first
    # pixel); ours put (0,0) at its corner: conjugate by a half-pixel shift.
    shift = np.array([[1, 0, 0.5], [0, 1, 0.5], [0, 0, 1]])
    full = np.vstack([m, [0, 0, 1]])
    return (shift @ full @ np.linalg.inv(shift)).tolist()


rows = {}
for p in pairs:
    before = cv2.imread(os.path.join(d, p["before"]), cv2.IMREAD_GRAYSCALE)
    after = cv2.imread(os.path.join(d, p["after"]), cv2.IMREAD_GRAYSCALE)
    t0 = time.perf_counter()
    m = opencv_align(before, after)
    ms = (time.perf_counter() - t0) * 1000
    diag = math.hypot(p["width"], p["height"])
    err = corner_error(m, p["truth"], p["width"], p["height"]) if m else float("inf")
    rows.setdefault(("OpenCV SIFT+RANSAC", p["level"]), []).append((err < 0.0025 * diag, err, ms))
    ours = p["ours"]
    rows.setdefault(("scalp-compare", p["level"]), []).append(
        (ours["success"], ours["error_px"] if ours["error_px"] is not None else float("inf"), ours["ms"]))

print(f"{'method':<20} {'level':<7} {'success':>9} {'median error px':>16} {'median ms/pair':>15}")
for method in ["scalp-compare", "OpenCV SIFT+RANSAC"]:
    total_ok = total = 0
    for level in ["easy", "medium", "hard"]:
        r = rows.get((method, level), [])
        if not r:
            continue
        ok = sum(1 for s, _, _ in r if s)
        total_ok += ok
        total += len(r)
        med_err = statistics.median(e for _, e, _ in r)
        med_ms = statistics.median(t for _, _, t in r)
        print(f"{method:<20} {level:<7} {ok:>4}/{len(r):<4} {med_err:>16.3f} {med_ms:>15.0f}")
    print(f"{method:<20} {'all':<7} {total_ok:>4}/{total:<4} {100 * total_ok / max(total, 1):>15.1f}%")
