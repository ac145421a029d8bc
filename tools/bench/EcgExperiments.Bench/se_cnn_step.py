"""PyTorch peer of the C# SE-CNN training-step benchmark (same architecture, batch, optimiser).

Usage: /usr/bin/python3 se_cnn_step.py THREADS STEPS WARMUP   -> prints the median ms per step.
"""
import statistics
import sys
import time

import torch
import torch.nn as nn
import torch.nn.functional as F


class SE(nn.Module):
    def __init__(self, c, r):
        super().__init__()
        self.fc1 = nn.Linear(c, max(1, c // r))
        self.fc2 = nn.Linear(max(1, c // r), c)

    def forward(self, x):
        g = torch.sigmoid(self.fc2(F.relu(self.fc1(x.mean((2, 3))))))
        return x * g[:, :, None, None]


class SECNN(nn.Module):
    def __init__(self, widths=(16, 32, 64)):
        super().__init__()
        self.blocks = nn.ModuleList()
        c = 1
        for w in widths:
            self.blocks.append(nn.ModuleList([nn.Conv2d(c, w, (3, 9), padding=(1, 0)), SE(w, 4), nn.BatchNorm2d(w)]))
            c = w
        self.fc = nn.Linear(c, 1)

    def forward(self, x):
        for i, (conv, se, bn) in enumerate(self.blocks):
            x = F.max_pool2d(F.relu(bn(se(conv(x)))), (2, 4))
            if i < len(self.blocks) - 1:
                x = F.dropout(x, 0.3, self.training)
        x = F.adaptive_avg_pool2d(x, 1).flatten(1)
        return self.fc(F.dropout(x, 0.3, self.training))


def main():
    threads, steps, warmup = (int(a) for a in sys.argv[1:4])
    torch.set_num_threads(threads)
    torch.manual_seed(0)
    model = SECNN().train()
    opt = torch.optim.Adam(model.parameters(), lr=0.002)
    x = torch.randn(32, 1, 12, 1000)
    y = torch.randint(0, 2, (32, 1)).float()
    times = []
    for i in range(warmup + steps):
        t = time.perf_counter()
        opt.zero_grad()
        F.binary_cross_entropy_with_logits(model(x), y).backward()
        opt.step()
        if i >= warmup:
            times.append((time.perf_counter() - t) * 1000)
    print(statistics.median(times))


if __name__ == "__main__":
    main()
