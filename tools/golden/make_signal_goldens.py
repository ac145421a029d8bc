#!/usr/bin/python3
"""Golden values for EcgExperiments.Signals.

Run with the Debian interpreter (numpy 1.24, scipy 1.10):

    /usr/bin/python3 tools/golden/make_signal_goldens.py

It writes small .npy arrays plus one manifest.json (parameters of every case and the names of its
arrays) into tests/EcgExperiments.Signals.Tests/Golden/. scipy functions are called directly; the
librosa semantics (stft, istft, amplitude_to_db, power_to_db) are re-stated here in numpy from
librosa's documentation, because librosa is not installed on the build machine; area resize is a
plain box-area average (OpenCV is not installed either).

Every input that the C# side reads as float32 is rounded to float32 first, so that both sides start
from the same numbers and differences come from the algorithms only.
"""
import json
import os
import sys

import numpy as np
import scipy
import scipy.signal as ss

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
OUT = os.path.join(ROOT, "tests", "EcgExperiments.Signals.Tests", "Golden")
MAX_FILE_BYTES = 200 * 1024

manifest = {
    "generator": "tools/golden/make_signal_goldens.py",
    "numpy": np.__version__,
    "scipy": scipy.__version__,
    "cases": {},
}


def f32(a):
    """Round to float32 and back: the C# side holds samples as float32."""
    return np.asarray(a, dtype=np.float32).astype(np.float64)


def save(case, name, array, dtype=None):
    """Small arrays (filter designs, windows) keep float64; long ones are stored as float32, which
    is exact for the float32 inputs and far inside the 1e-4 tolerances for outputs."""
    array = np.asarray(array)
    if dtype is None:
        dtype = np.float64 if array.size <= 512 else np.float32
    arr = np.ascontiguousarray(array.astype(dtype))
    fname = f"{case}.{name}.npy"
    path = os.path.join(OUT, fname)
    np.save(path, arr)
    size = os.path.getsize(path)
    if size > MAX_FILE_BYTES:
        sys.exit(f"{fname} is {size} bytes; goldens must stay under {MAX_FILE_BYTES}")
    manifest["cases"].setdefault(case, {}).setdefault("arrays", {})[name] = fname


def params(case, **kw):
    manifest["cases"].setdefault(case, {}).setdefault("params", {}).update(kw)


# ---------------------------------------------------------------- synthetic signals

def synthetic_beat(n, fs, seed, r_at=None):
    """A beat-like test signal: P, QRS, T bumps plus baseline sine and seeded noise (mV)."""
    rng = np.random.default_rng(seed)
    t = np.arange(n) / fs
    r = (r_at if r_at is not None else n // 2) / fs
    g = lambda mu, sd, a: a * np.exp(-0.5 * ((t - mu) / sd) ** 2)
    x = (g(r - 0.20, 0.025, 0.15) + g(r - 0.02, 0.008, -0.12) + g(r, 0.010, 1.1)
         + g(r + 0.025, 0.010, -0.25) + g(r + 0.28, 0.045, 0.3))
    x += 0.05 * np.sin(2 * np.pi * 0.33 * t) + 0.01 * rng.standard_normal(n)
    return f32(x)


def synthetic_record(n, fs, seed):
    """Several seconds of a noisy ECG-like signal with mains hum, for the filters and resamplers."""
    rng = np.random.default_rng(seed)
    t = np.arange(n) / fs
    x = np.zeros(n)
    for r in np.arange(0.4, n / fs, 0.8):
        x += 1.1 * np.exp(-0.5 * ((t - r) / 0.012) ** 2) + 0.3 * np.exp(-0.5 * ((t - r - 0.28) / 0.05) ** 2)
    x += 0.2 * np.sin(2 * np.pi * 0.3 * t) + 0.05 * np.sin(2 * np.pi * 60 * t) + 0.02 * rng.standard_normal(n)
    return f32(x)


# ---------------------------------------------------------------- librosa semantics in numpy

def pad_center(w, size):
    """librosa.util.pad_center: zero-pad both sides, the extra sample (if any) on the right."""
    lpad = (size - len(w)) // 2
    return np.pad(w, (lpad, size - len(w) - lpad))


def hann_periodic(n):
    return ss.get_window("hann", n, fftbins=True)


def stft(y, n_fft, hop, win_length, center=True, pad_mode="reflect"):
    w = pad_center(hann_periodic(win_length), n_fft)
    if center:
        y = np.pad(y, n_fft // 2, mode=pad_mode)
    n_frames = 1 + (len(y) - n_fft) // hop
    frames = np.stack([y[t * hop:t * hop + n_fft] for t in range(n_frames)], axis=1)
    return np.fft.rfft(frames * w[:, None], axis=0)


def istft(D, hop, win_length, n_fft, center=True, length=None):
    w = pad_center(hann_periodic(win_length), n_fft)
    wsq = pad_center(hann_periodic(win_length) ** 2, n_fft)
    n_frames = D.shape[1]
    frames = np.fft.irfft(D, n=n_fft, axis=0) * w[:, None]
    n = n_fft + hop * (n_frames - 1)
    y = np.zeros(n)
    wss = np.zeros(n)
    for t in range(n_frames):
        y[t * hop:t * hop + n_fft] += frames[:, t]
        wss[t * hop:t * hop + n_fft] += wsq
    nz = wss > np.finfo(np.float64).tiny
    y[nz] /= wss[nz]
    start = n_fft // 2 if center else 0
    if length is None:
        return y[start:n - start]
    y = y[start:]
    return y[:length] if len(y) >= length else np.pad(y, (0, length - len(y)))


def power_to_db(S, ref=1.0, amin=1e-10, top_db=80.0):
    ref_value = ref(S) if callable(ref) else np.abs(ref)
    log_spec = 10.0 * np.log10(np.maximum(amin, S))
    log_spec -= 10.0 * np.log10(np.maximum(amin, ref_value))
    if top_db is not None:
        log_spec = np.maximum(log_spec, log_spec.max() - top_db)
    return log_spec


def amplitude_to_db(S, ref=1.0, amin=1e-5, top_db=80.0):
    magnitude = np.abs(S)
    ref_value = ref(magnitude) if callable(ref) else np.abs(ref)
    return power_to_db(magnitude ** 2, ref=ref_value ** 2, amin=amin ** 2, top_db=top_db)


# ---------------------------------------------------------------- image resize references

def area_weights(n_in, n_out):
    """Exact fractional-area weights: output cell i covers [i, i+1)·n_in/n_out of the input."""
    W = np.zeros((n_out, n_in))
    s = n_in / n_out
    for i in range(n_out):
        a, b = i * s, (i + 1) * s
        for j in range(int(np.floor(a)), min(n_in, int(np.ceil(b)))):
            W[i, j] = max(0.0, min(b, j + 1) - max(a, j))
        W[i] /= W[i].sum()
    return W


def area_resize(img, h, w):
    return area_weights(img.shape[0], h) @ img @ area_weights(img.shape[1], w).T


def bilinear_weights(n_in, n_out):
    """Half-pixel-centre bilinear (OpenCV INTER_LINEAR, torch align_corners=False), edges clamped."""
    W = np.zeros((n_out, n_in))
    s = n_in / n_out
    for i in range(n_out):
        src = min(max((i + 0.5) * s - 0.5, 0.0), n_in - 1)
        j0 = int(np.floor(src))
        j1 = min(j0 + 1, n_in - 1)
        f = src - j0
        W[i, j0] += 1 - f
        W[i, j1] += f
    return W


def bilinear_resize(img, h, w):
    return bilinear_weights(img.shape[0], h) @ img @ bilinear_weights(img.shape[1], w).T


def minmax(x, lo, hi):
    mn, mx = x.min(), x.max()
    if mx == mn:
        return np.full_like(x, lo)
    return lo + (hi - lo) * (x - mn) / (mx - mn)


# ---------------------------------------------------------------- cases

def stft_cases():
    # §2.2: n_fft 428, Hann 64 centred in the frame, hop 16, reflect → 215 × 27
    x = synthetic_beat(428, 360, seed=1)
    D = stft(x, 428, 16, 64)
    assert D.shape == (215, 27)
    params("stft_mitbih", n_fft=428, win_length=64, hop=16, center=True, pad_mode="reflect")
    save("stft_mitbih", "x", x)
    save("stft_mitbih", "magnitude", np.abs(D))
    save("stft_mitbih", "real", D.real, np.float32)
    save("stft_mitbih", "imag", D.imag, np.float32)
    db = amplitude_to_db(np.abs(D), ref=np.max)
    save("stft_mitbih", "db_ref_max", db, np.float32)
    img = area_resize(db, 64, 64)
    save("stft_mitbih", "image64", img, np.float32)

    # §2.4: n_fft 256, hop 2, Hann 64 → 129 × 161; dB ref 1; frames 10..149; area 128×128; [−1, 1]
    x = synthetic_beat(320, 360, seed=2, r_at=140)
    D = stft(x, 256, 2, 64)
    assert D.shape == (129, 161)
    params("stft_b2igan", n_fft=256, win_length=64, hop=2, center=True, pad_mode="reflect")
    save("stft_b2igan", "x", x)
    save("stft_b2igan", "magnitude", np.abs(D), np.float32)
    db = amplitude_to_db(np.abs(D), ref=1.0, amin=1e-5, top_db=80.0)
    save("stft_b2igan", "db_ref_one", db, np.float32)
    crop = db[:, 10:150]
    assert crop.shape == (129, 140)
    img = minmax(area_resize(crop, 128, 128), -1.0, 1.0)
    save("stft_b2igan", "image128", img, np.float32)

    # Small odd shapes: odd n_fft, odd window padding, constant padding, no centring.
    x = f32(np.random.default_rng(3).standard_normal(50))
    for name, kw in {
        "stft_small_reflect": dict(n_fft=15, win_length=10, hop=4, center=True, pad_mode="reflect"),
        "stft_small_constant": dict(n_fft=16, win_length=11, hop=3, center=True, pad_mode="constant"),
        "stft_small_nocenter": dict(n_fft=16, win_length=16, hop=5, center=False, pad_mode="reflect"),
        "stft_short_reflect": dict(n_fft=32, win_length=20, hop=4, center=True, pad_mode="reflect"),
    }.items():
        xx = x[:10] if name == "stft_short_reflect" else x  # pad longer than the signal: periodic reflection
        D = stft(xx, kw["n_fft"], kw["hop"], kw["win_length"], kw["center"], kw["pad_mode"])
        params(name, **kw)
        save(name, "x", xx)
        save(name, "real", D.real)
        save(name, "imag", D.imag)

    # istft(stft(x)) as librosa defines it, with and without an explicit length.
    x = f32(np.random.default_rng(4).standard_normal(300))
    D = stft(x, 64, 16, 48)
    params("istft", n_fft=64, win_length=48, hop=16, center=True, pad_mode="reflect")
    save("istft", "x", x)
    save("istft", "y_nolength", istft(D, 16, 48, 64))
    save("istft", "y_length", istft(D, 16, 48, 64, length=300))


def db_cases():
    rng = np.random.default_rng(5)
    S = f32(np.abs(rng.standard_normal((20, 30))) * np.logspace(-7, 1, 30)[None, :])
    save("db", "amplitude", S)
    params("db", amin=1e-5, top_db=80.0)
    save("db", "amp_ref_max", amplitude_to_db(S, ref=np.max))
    save("db", "amp_ref_one", amplitude_to_db(S, ref=1.0))
    save("db", "amp_ref_two_no_top", amplitude_to_db(S, ref=2.0, top_db=None))
    P = S ** 2
    save("db", "power", f32(P))
    save("db", "pow_ref_one", power_to_db(f32(P), ref=1.0))
    save("db", "pow_ref_max_top40", power_to_db(f32(P), ref=np.max, top_db=40.0))


def resample_cases():
    for name, n, up, down in [("resample_5to2", 203, 2, 5), ("resample_360to250", 1000, 250, 360),
                              ("resample_100to500", 157, 5, 1), ("resample_3to7", 64, 7, 3)]:
        x = synthetic_record(n, 360, seed=6)
        y = ss.resample_poly(x, up, down)
        params(name, up=up, down=down)
        save(name, "x", x)
        save(name, "y", y)


def interp_cases():
    for name, n in [("interp_350_to_1000", 350), ("interp_2500_to_1000", 2500)]:
        x = synthetic_record(n, 100, seed=7)
        xs = np.linspace(0, n - 1, 1000)
        params(name, n_out=1000)
        save(name, "x", x)
        save(name, "y", np.interp(xs, np.arange(n), x))


def filter_cases():
    fs = 360.0
    x = synthetic_record(1200, fs, seed=8)
    save("filters", "x", x)

    # firwin: BeatGAN/biosppy band-pass (order 108 → 109 taps), its even-length sibling, low/high pass.
    taps = {
        "firwin_bp109": ss.firwin(109, [3, 45], pass_zero=False, fs=fs),
        "firwin_bp108": ss.firwin(108, [3, 45], pass_zero=False, fs=fs),
        "firwin_lp31": ss.firwin(31, 40, fs=fs),
        "firwin_hp51_hann": ss.firwin(51, 0.5, pass_zero=False, fs=fs, window="hann"),
        "firwin_lp21_kaiser": ss.firwin(21, 0.25, window=("kaiser", 5.0)),
        "firwin_bs41": ss.firwin(41, [55, 65], fs=fs),
    }
    for k, v in taps.items():
        save("filters", k, v)

    b = taps["firwin_bp109"]
    save("filters", "lfilter_fir", ss.lfilter(b, [1.0], x))
    save("filters", "filtfilt_fir", ss.filtfilt(b, [1.0], x))

    designs = {
        "butter_lp4": (4, 40.0, "lowpass"),
        "butter_hp3": (3, 0.5, "highpass"),
        "butter_bp2": (2, [0.5, 45.0], "bandpass"),
        "butter_bp3": (3, [3.0, 45.0], "bandpass"),
        "butter_lp5": (5, 25.0, "lowpass"),
    }
    for k, (order, wn, btype) in designs.items():
        bb, aa = ss.butter(order, wn, btype=btype, fs=fs)
        sos = ss.butter(order, wn, btype=btype, fs=fs, output="sos")
        params("filters", **{k: dict(order=order, wn=wn if isinstance(wn, list) else [wn], btype=btype, fs=fs)})
        save("filters", k + "_b", bb)
        save("filters", k + "_a", aa)
        save("filters", k + "_sos", sos)
        save("filters", k + "_lfilter", ss.lfilter(bb, aa, x))
        save("filters", k + "_filtfilt", ss.filtfilt(bb, aa, x))
        save("filters", k + "_sosfiltfilt", ss.sosfiltfilt(sos, x))
        save("filters", k + "_sosfilt", ss.sosfilt(sos, x))
        save("filters", k + "_lfilter_zi", ss.lfilter_zi(bb, aa))
        save("filters", k + "_sosfilt_zi", ss.sosfilt_zi(sos))

    # lfilter with an explicit initial state, and filtfilt with other pad types.
    bb, aa = ss.butter(2, [0.5, 45.0], btype="bandpass", fs=fs)
    zi = ss.lfilter_zi(bb, aa) * x[0]
    y, zf = ss.lfilter(bb, aa, x, zi=zi)
    save("filters", "lfilter_zi_y", y)
    save("filters", "lfilter_zi_zf", zf)
    save("filters", "filtfilt_even", ss.filtfilt(bb, aa, x, padtype="even"))
    save("filters", "filtfilt_constant", ss.filtfilt(bb, aa, x, padtype="constant"))
    save("filters", "filtfilt_none", ss.filtfilt(bb, aa, x, padtype=None))
    save("filters", "filtfilt_padlen50", ss.filtfilt(bb, aa, x, padlen=50))
    # a[0] != 1 is normalised away by scipy
    save("filters", "lfilter_unnormalised", ss.lfilter(2 * bb, 2 * aa, x))

    save("filters", "window_hann64_periodic", ss.get_window("hann", 64, fftbins=True))
    save("filters", "window_hamming109_symmetric", ss.get_window("hamming", 109, fftbins=False))
    save("filters", "window_kaiser5_101_symmetric", ss.get_window(("kaiser", 5.0), 101, fftbins=False))


def resize_cases():
    rng = np.random.default_rng(9)
    for name, (h, w, H, W) in {
        "resize_area_215x27_to_64x64": (215, 27, 64, 64),
        "resize_area_129x140_to_128x128": (129, 140, 128, 128),
        "resize_area_10x7_to_4x3": (10, 7, 4, 3),
        "resize_area_6x4_to_6x4": (6, 4, 6, 4),
    }.items():
        img = f32(rng.standard_normal((h, w)))
        save(name, "src", img)
        save(name, "dst", area_resize(img, H, W))
    img = f32(rng.standard_normal((5, 7)))
    save("resize_bilinear_5x7_to_9x16", "src", img)
    save("resize_bilinear_5x7_to_9x16", "dst", bilinear_resize(img, 9, 16))
    save("resize_bilinear_5x7_to_3x4", "src", img)
    save("resize_bilinear_5x7_to_3x4", "dst", bilinear_resize(img, 3, 4))


def main():
    os.makedirs(OUT, exist_ok=True)
    for f in os.listdir(OUT):
        if f.endswith(".npy") or f == "manifest.json":
            os.remove(os.path.join(OUT, f))
    stft_cases()
    db_cases()
    resample_cases()
    interp_cases()
    filter_cases()
    resize_cases()
    with open(os.path.join(OUT, "manifest.json"), "w") as fh:
        json.dump(manifest, fh, indent=1, sort_keys=True)
    total = sum(os.path.getsize(os.path.join(OUT, f)) for f in os.listdir(OUT))
    print(f"wrote {len(os.listdir(OUT))} files, {total / 1024:.0f} KiB, into {OUT}")


if __name__ == "__main__":
    main()
