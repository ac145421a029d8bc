"""numpy/scipy peer of the C# MIT-BIH beat-image benchmark (SPEC 2.2 recipe), vectorised per record.

All records -> lead MLII (V5 for 102/104) -> AAMI beats from the .atr reference annotations -> midpoint
beat windows padded/cropped to 428 -> STFT (n_fft 428, centred periodic Hann 64, hop 16, reflect padding,
librosa semantics) -> dB relative to each beat's maximum, floored at -80 -> 215 x 27 -> area resize 64 x 64.
Reads WFDB format 212 and MIT annotation files with numpy only.

Usage: /usr/bin/python3 mitbih_images.py MITBIH_FOLDER   -> prints "beats seconds peak_rss_bytes"
"""
import os
import resource
import sys
import time

import numpy as np

AAMI = {s: c for c, syms in {"N": "NLRej", "S": "AaJS", "V": "VE", "F": "F", "Q": "/fQ"}.items() for s in syms}
CODES = {1: "N", 2: "L", 3: "R", 4: "a", 5: "V", 6: "F", 7: "J", 8: "A", 9: "S", 10: "E", 11: "j", 12: "/", 13: "Q", 38: "f", 34: "e"}


def read_header(path):
    lines = [l for l in open(path + ".hea") if l.strip() and not l.startswith("#")]
    names = [l.split(None, 8)[8].strip() if len(l.split(None, 8)) > 8 else "" for l in lines[1:]]
    zeros = [int(l.split()[4]) for l in lines[1:]]
    return names, zeros


def read_212(path, nsig):
    raw = np.fromfile(path + ".dat", dtype=np.uint8).reshape(-1, 3).astype(np.int32)
    a = raw[:, 0] | ((raw[:, 1] & 0x0F) << 8)
    b = raw[:, 2] | ((raw[:, 1] & 0xF0) << 4)
    a[a > 2047] -= 4096
    b[b > 2047] -= 4096
    return np.stack([a, b], axis=1).reshape(-1)[: (len(a) * 2 // nsig) * nsig].reshape(-1, nsig)


def read_atr(path):
    w = np.fromfile(path + ".atr", dtype="<u2")
    samples, codes, t, i = [], [], 0, 0
    while i < len(w):
        code, inc = int(w[i]) >> 10, int(w[i]) & 0x3FF
        i += 1
        if code == 0 and inc == 0:
            break
        if code == 59:  # SKIP: 32-bit interval in PDP-11 order
            t += (int(w[i]) << 16) | int(w[i + 1])
            i += 2
            continue
        if code == 63:  # AUX: inc bytes, padded to even
            i += (inc + 1) // 2
            continue
        if code in (60, 61, 62):
            continue
        t += inc
        samples.append(t)
        codes.append(code)
    return np.array(samples), np.array(codes)


def windows(x, r, length=428):
    half = length // 2
    out = np.zeros((len(r), length), dtype=np.float32)
    for k, rk in enumerate(r):
        prev = r[k - 1] if k > 0 else None
        nxt = r[k + 1] if k + 1 < len(r) else None
        left = (rk - prev) // 2 if prev is not None else ((nxt - rk) // 2 if nxt is not None else half)
        right = (nxt - rk) // 2 if nxt is not None else left
        lo, hi = rk - left, rk + right
        if hi - lo > length:
            lo, hi = rk - half, rk + half
        seg = x[max(lo, 0): min(hi, len(x))]
        d = length - len(seg)
        start = (d + 1) // 2
        out[k, start: start + len(seg)] = seg
    return out


def area_matrix(src, dst):
    m = np.zeros((dst, src))
    scale = src / dst
    for i in range(dst):
        a, b = i * scale, (i + 1) * scale
        for j in range(int(np.floor(a)), min(int(np.ceil(b)), src)):
            m[i, j] = max(0.0, min(b, j + 1) - max(a, j)) / scale
    return m


AAMI_CLASSES = "NSVFQ"


def beat_images(folder):
    """Every AAMI beat of every record as a 64 x 64 STFT image: (images N x 64 x 64 float32, AAMI class index N, record N)."""
    n_fft, win, hop = 428, 64, 16
    hann = 0.5 - 0.5 * np.cos(2 * np.pi * np.arange(win) / win)
    window = np.zeros(n_fft)
    window[(n_fft - win) // 2: (n_fft - win) // 2 + win] = hann
    ah, aw = area_matrix(n_fft // 2 + 1, 64), area_matrix(1 + n_fft // hop, 64)
    all_images, all_labels, all_records = [], [], []
    records = sorted({f[:3] for f in os.listdir(folder) if f.endswith(".hea")})
    for rec in records:
        path = os.path.join(folder, rec)
        names, zeros = read_header(path)
        lead = names.index("MLII") if "MLII" in names else names.index("V5")
        sig = read_212(path, len(names))[:, lead].astype(np.float32) - zeros[lead]
        samples, codes = read_atr(path)
        symbols = np.array([CODES.get(int(c), "") for c in codes])
        beat = np.array([s in AAMI for s in symbols], dtype=bool)
        beats = windows(sig, samples[beat])
        padded = np.pad(beats, ((0, 0), (n_fft // 2, n_fft // 2)), mode="reflect")
        frames = np.lib.stride_tricks.sliding_window_view(padded, n_fft, axis=1)[:, ::hop]  # B x 27 x 428
        mag = np.abs(np.fft.rfft(frames * window, axis=2))  # B x 27 x 215
        db = 20 * np.log10(np.maximum(mag, 1e-10))
        db -= db.max(axis=(1, 2), keepdims=True)
        db = np.maximum(db, -80.0).transpose(0, 2, 1)  # B x 215 x 27
        all_images.append(np.einsum("hb,nbf,wf->nhw", ah, db, aw, optimize=True).astype(np.float32))
        all_labels.append(np.array([AAMI_CLASSES.index(AAMI[s]) for s in symbols[beat]], dtype=np.int64))
        all_records.append(np.full(int(beat.sum()), int(rec)))
    return np.concatenate(all_images), np.concatenate(all_labels), np.concatenate(all_records)


def main():
    t0 = time.perf_counter()
    images, _, _ = beat_images(sys.argv[1])
    elapsed = time.perf_counter() - t0
    print(images.shape[0], elapsed, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024)


if __name__ == "__main__":
    main()
