"""numpy peer of the C# WFDB read benchmark: every MIT-BIH record's format-212 .dat decoded and converted to
float32 physical values ((adc - baseline) / gain, per signal), the way a vectorised numpy reader does it.

Usage: /usr/bin/python3 wfdb_read.py MITBIH_FOLDER PASSES   -> prints "median_wall_seconds median_cpu_seconds checksum"
"""
import os
import sys
import time

import numpy as np


def read_header(path):
    lines = [l for l in open(path + ".hea") if l.strip() and not l.startswith("#")]
    specs = []
    for l in lines[1:]:
        f = l.split()
        gain = f[2].split("/")[0]
        base = int(gain[gain.index("(") + 1: gain.index(")")]) if "(" in gain else int(f[4])
        specs.append((float(gain.split("(")[0]) or 200.0, base))
    return specs


def read_record(path):
    specs = read_header(path)
    raw = np.fromfile(path + ".dat", dtype=np.uint8).reshape(-1, 3).astype(np.int32)
    a = raw[:, 0] | ((raw[:, 1] & 0x0F) << 8)
    b = raw[:, 2] | ((raw[:, 1] & 0xF0) << 4)
    a[a > 2047] -= 4096
    b[b > 2047] -= 4096
    adc = np.stack([a, b], axis=1).reshape(-1, len(specs))
    return [((adc[:, k] - base) / gain).astype(np.float32) for k, (gain, base) in enumerate(specs)]


def main():
    folder, passes = sys.argv[1], int(sys.argv[2])
    records = sorted(os.path.join(folder, f[:-4]) for f in os.listdir(folder) if f.endswith(".hea"))
    times, cpu, checksum = [], [], 0.0
    for p in range(passes + 1):
        t0, c0 = time.perf_counter(), time.process_time()
        for r in records:
            for mv in read_record(r):
                checksum += float(mv[len(mv) // 2])
        if p > 0:
            times.append(time.perf_counter() - t0)
            cpu.append(time.process_time() - c0)
    times.sort()
    cpu.sort()
    print(times[len(times) // 2], cpu[len(cpu) // 2], checksum)


if __name__ == "__main__":
    main()
