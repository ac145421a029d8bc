#!/usr/bin/python3
"""Reference timing of the SPEC §2.2 beat-image path in numpy/scipy (the C# path must be ≥ 10× faster).

    /usr/bin/python3 tools/golden/time_numpy_beat_images.py [beats]

Per beat: librosa-style STFT (n_fft 428, periodic Hann 64 centred in the frame, hop 16, centred
with reflect padding) → |X| → dB relative to the maximum with an 80 dB floor → 215 × 27 →
area resize to 64 × 64 (precomputed weight matrices). Two numpy variants are timed on the same
synthetic 428-sample beats: a per-beat loop (how the published code runs) and a batched version
(1000 beats per call, numpy's best case). Times are thread CPU time per beat.
"""
import sys
import time

import numpy as np
import scipy.signal as ss
from numpy.lib.stride_tricks import as_strided

N_FFT, WIN, HOP = 428, 64, 16


def area_weights(n_in, n_out):
    W = np.zeros((n_out, n_in))
    s = n_in / n_out
    for i in range(n_out):
        a, b = i * s, (i + 1) * s
        for j in range(int(np.floor(a)), min(n_in, int(np.ceil(b)))):
            W[i, j] = max(0.0, min(b, j + 1) - max(a, j))
        W[i] /= W[i].sum()
    return W


WINDOW = np.zeros(N_FFT)
WINDOW[(N_FFT - WIN) // 2:(N_FFT - WIN) // 2 + WIN] = ss.get_window("hann", WIN, fftbins=True)
ROWS, COLS = area_weights(215, 64), area_weights(27, 64)


def beat_image(x):
    y = np.pad(x, N_FFT // 2, mode="reflect")
    n_frames = 1 + (len(y) - N_FFT) // HOP
    frames = as_strided(y, (n_frames, N_FFT), (y.strides[0] * HOP, y.strides[0]))
    power = np.abs(np.fft.rfft(frames * WINDOW, axis=1)).T ** 2
    db = 10 * np.log10(np.maximum(1e-10, power)) - 10 * np.log10(max(1e-10, power.max()))
    db = np.maximum(db, db.max() - 80)
    return ROWS @ db @ COLS.T


def beat_images_batched(X):
    Y = np.pad(X, ((0, 0), (N_FFT // 2, N_FFT // 2)), mode="reflect")
    n_frames = 1 + (Y.shape[1] - N_FFT) // HOP
    s0, s1 = Y.strides
    frames = as_strided(Y, (Y.shape[0], n_frames, N_FFT), (s0, s1 * HOP, s1))
    power = np.abs(np.fft.rfft(frames * WINDOW, axis=2)) ** 2            # beats × frames × bins
    peak = power.max(axis=(1, 2), keepdims=True)
    db = 10 * np.log10(np.maximum(1e-10, power)) - 10 * np.log10(np.maximum(1e-10, peak))
    db = np.maximum(db, db.max(axis=(1, 2), keepdims=True) - 80)
    return np.einsum("ij,bkj,lk->bil", ROWS, db, COLS, optimize=True)   # rows @ db.T @ cols.T


def main():
    beats = int(sys.argv[1]) if len(sys.argv) > 1 else 10000
    X = np.random.default_rng(0).standard_normal((beats, 428)).astype(np.float32)
    beat_image(X[0])
    t = time.thread_time()
    for i in range(beats):
        beat_image(X[i])
    loop = (time.thread_time() - t) / beats * 1e6
    t = time.thread_time()
    for start in range(0, beats, 1000):
        beat_images_batched(X[start:start + 1000])
    batched = (time.thread_time() - t) / beats * 1e6
    assert np.allclose(beat_images_batched(X[:3]), np.stack([beat_image(x) for x in X[:3]]), atol=1e-6)
    print(f"numpy per-beat loop: {loop:.1f} µs/beat; batched (1000 beats per call): {batched:.1f} µs/beat; {beats} beats")


if __name__ == "__main__":
    main()
