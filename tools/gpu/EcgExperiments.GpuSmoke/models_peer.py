"""PyTorch peers of the seed models for the throughput benchmark (ecg-gpu-smoke --throughput).

Usage: python3 models_peer.py DEVICE THREADS STEPS  -> one line per model: "name params samples_per_second"
Same architectures, batch shapes, losses and Adam as the C# side; dropout as published.
"""
import sys
import time

import torch
import torch.nn as nn
import torch.nn.functional as F


class SE(nn.Module):
    def __init__(self, c, r=16):
        super().__init__()
        self.fc1, self.fc2 = nn.Linear(c, max(1, c // r)), nn.Linear(max(1, c // r), c)

    def forward(self, x):
        return x * torch.sigmoid(self.fc2(F.relu(self.fc1(x.mean((2, 3))))))[:, :, None, None]


class Cnn2d(nn.Module):
    def __init__(self, widths=(100, 250, 500, 1000), se=False):
        super().__init__()
        self.convs, self.ses, self.bns = nn.ModuleList(), nn.ModuleList(), nn.ModuleList()
        c = 1
        for w in widths:
            self.convs.append(nn.Conv2d(c, w, 10))
            self.ses.append(SE(w) if se else nn.Identity())
            self.bns.append(nn.BatchNorm2d(w))
            c = w
        self.fc = nn.Linear(c, 1)

    def forward(self, x):
        n = len(self.convs)
        for i in range(n):
            x = F.max_pool2d(F.relu(self.bns[i](self.ses[i](self.convs[i](x)))), 2)
            if i < n - 1:
                x = F.dropout(x, 0.5, self.training)
        return self.fc(F.dropout(x.mean((2, 3)), 0.5, self.training))


class StftCnn(nn.Module):
    def __init__(self):
        super().__init__()
        self.c1, self.c2, self.c3 = nn.Conv2d(3, 8, 4), nn.Conv2d(8, 13, 2), nn.Conv2d(13, 13, 2)
        self.fc1, self.fc2 = nn.Linear(468, 512), nn.Linear(512, 5)

    def forward(self, x):
        x = F.max_pool2d(F.relu(self.c1(x)), 2)
        x = F.max_pool2d(F.relu(self.c2(x)), 2)
        x = F.max_pool2d(F.relu(self.c3(x)), 2)
        return self.fc2(F.relu(self.fc1(F.dropout(x.flatten(1), 0.5, self.training))))


class BiLstmAttention(nn.Module):
    def __init__(self, t=1000):
        super().__init__()
        self.t = t
        self.lstm = nn.LSTM(1, 400, 3, batch_first=True, bidirectional=True)
        self.w = nn.Parameter(torch.randn(800) * 0.03)
        self.b = nn.Parameter(torch.zeros(1))
        self.fc = nn.Linear(800, t * 12)

    def forward(self, x):
        h, _ = self.lstm(x.unsqueeze(2))
        a = torch.softmax(torch.tanh(h @ self.w + self.b), 1).unsqueeze(2)
        return self.fc((h * a).sum(1)).view(-1, self.t, 12).transpose(1, 2)


def encoder(dims, nz, w=32, last=True):
    conv, bn = (nn.Conv2d, nn.BatchNorm2d) if dims == 2 else (nn.Conv1d, nn.BatchNorm1d)
    s5 = 1 if dims == 2 else 2
    layers = [conv(1, w, 4, 2, 1, bias=False), nn.LeakyReLU(0.2)]
    for i, o, s in [(w, 2 * w, 2), (2 * w, 4 * w, 2), (4 * w, 8 * w, 2), (8 * w, 16 * w, s5)]:
        layers += [conv(i, o, 4, s, 1, bias=False), bn(o), nn.LeakyReLU(0.2)]
    head = conv(16 * w, nz, 7 if dims == 2 else 10, 1, 0, bias=False)
    return nn.Sequential(*layers), head


class Generator(nn.Module):
    def __init__(self, dims, w=32, nz=50):
        super().__init__()
        self.f, self.h = encoder(dims, nz, w)
        ct, bn = (nn.ConvTranspose2d, nn.BatchNorm2d) if dims == 2 else (nn.ConvTranspose1d, nn.BatchNorm1d)
        s2 = 1 if dims == 2 else 2
        layers = [ct(nz, 16 * w, 7 if dims == 2 else 10, 1, 0, bias=False), bn(16 * w), nn.ReLU()]
        for i, o, s in [(16 * w, 8 * w, s2), (8 * w, 4 * w, 2), (4 * w, 2 * w, 2), (2 * w, w, 2)]:
            layers += [ct(i, o, 4, s, 1, bias=False), bn(o), nn.ReLU()]
        layers += [ct(w, 1, 4, 2, 1, bias=False), nn.Tanh()]
        self.d = nn.Sequential(*layers)

    def forward(self, x):
        return self.d(self.h(self.f(x)))


class Discriminator(nn.Module):
    def __init__(self, dims):
        super().__init__()
        self.f, self.h = encoder(dims, 1)

    def forward(self, x):
        return self.f(x)


class LstmAe(nn.Module):
    def __init__(self, e=64):
        super().__init__()
        h = 2 * e
        self.e = e
        self.l1, self.l2 = nn.LSTM(1, h, batch_first=True), nn.LSTM(h, e, batch_first=True)
        self.l3, self.l4 = nn.LSTM(e, e, batch_first=True), nn.LSTM(e, h, batch_first=True)
        self.out = nn.Linear(h, 1)

    def forward(self, x):
        y, _ = self.l1(x)
        _, (hn, _) = self.l2(y)
        z = hn[0].unsqueeze(1).expand(-1, x.size(1), self.e)
        y, _ = self.l3(z)
        y, _ = self.l4(y)
        return self.out(y)


class TransformerAe(nn.Module):
    def __init__(self, d=4, ff=512, heads=2, layers=2):
        super().__init__()
        self.d = d
        self.enc = nn.ModuleList([nn.TransformerEncoderLayer(d, heads, ff, batch_first=True) for _ in range(layers)])
        self.dec = nn.ModuleList([nn.TransformerDecoderLayer(d, heads, ff, batch_first=True) for _ in range(layers)])
        self.out = nn.Linear(d, 1)

    def forward(self, x):
        src = x.expand(-1, -1, self.d)
        m = src
        for l in self.enc:
            m = l(m)
        y = src
        for l in self.dec:
            y = l(y, m)
        return self.out(y)


CASES = [
    ("cnn2d", lambda: Cnn2d(), (16, 1, 151, 151), lambda m, x: F.binary_cross_entropy_with_logits(m(x), torch.ones(x.size(0), 1, device=x.device))),
    ("stft_cnn", StftCnn, (200, 3, 64, 64), lambda m, x: F.cross_entropy(m(x), torch.arange(x.size(0), device=x.device) % 5)),
    ("bilstm_attention", BiLstmAttention, (32, 1000), lambda m, x: m(x).pow(2).mean()),
    ("b2i_gan_generator", lambda: Generator(2), (64, 1, 128, 128), lambda m, x: F.mse_loss(m(x), x)),
    ("beatgan_generator", lambda: Generator(1), (64, 1, 320), lambda m, x: F.mse_loss(m(x), x)),
    ("lstm_ae_e64", LstmAe, (32, 140, 1), lambda m, x: F.l1_loss(m(x), x, reduction="sum") / x.size(0)),
    ("transformer_ae_4_512_2_2", TransformerAe, (32, 140, 1), lambda m, x: F.l1_loss(m(x), x, reduction="sum") / x.size(0)),
]


def main():
    device, threads, steps = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
    only = sys.argv[4] if len(sys.argv) > 4 else None
    torch.set_num_threads(threads)
    if device.startswith("cuda"):
        torch.backends.cuda.matmul.allow_tf32 = True
        torch.backends.cudnn.allow_tf32 = True
    for name, make, shape, loss in CASES:
        if only and not name.startswith(only):
            continue
        torch.manual_seed(0)
        m = make().to(device).train()
        opt = torch.optim.Adam(m.parameters(), lr=1e-4)
        x = torch.rand(shape, device=device)
        times = []
        for i in range(steps + 2):
            if device.startswith("cuda"):
                torch.cuda.synchronize()
            t = time.perf_counter()
            opt.zero_grad()
            loss(m, x).backward()
            opt.step()
            if device.startswith("cuda"):
                torch.cuda.synchronize()
            if i >= 2:
                times.append(time.perf_counter() - t)
        times.sort()
        params = sum(p.numel() for p in m.parameters())
        print(name, params, shape[0] / times[len(times) // 2], flush=True)


if __name__ == "__main__":
    main()
