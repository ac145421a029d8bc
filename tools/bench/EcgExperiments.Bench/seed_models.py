"""PyTorch peers of the seed models for `ecg bench` (tools/bench/EcgExperiments.Bench/ModelBench.cs).

Every case builds the same architecture, input batch, loss and optimiser as its C# twin in SeedModels.cs, so
one training step does the same work on both sides. The C# bench drives this script as a server and
interleaves its own steps with the peer's, so both see the same machine load:

    /usr/bin/python3 seed_models.py serve
      build CASE THREADS DEVICE BATCH [fp32|bf16] -> "ok PARAMS"   (model, optimiser, fixed random batch;
                                                                      bf16: autocast around forward and loss)
      steps N                     -> "ok W1,C1 ... WN,CN"   (wall and process-CPU seconds of each training step)
      profile N                   -> "ok CPU_S WALL_S K" + K lines "op\tcalls\ttotal_us\tself_us" (torch.autograd.profiler)
      quit
    /usr/bin/python3 seed_models.py list                        -> one line per case: "name params"
"""
import contextlib
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
    """SPEC 2.1 CNN2D: conv(k) -> [SE] -> BN -> ReLU -> max-pool -> dropout (not after the last block)."""

    def __init__(self, widths=(100, 250, 500, 1000), kernel=(10, 10), padding=(0, 0), pool=(2, 2), se=None, dropout=0.5):
        super().__init__()
        self.convs, self.ses, self.bns = nn.ModuleList(), nn.ModuleList(), nn.ModuleList()
        self.pool, self.dropout = pool, dropout
        c = 1
        for w in widths:
            self.convs.append(nn.Conv2d(c, w, kernel, padding=padding))
            self.ses.append(SE(w, se) if se else nn.Identity())
            self.bns.append(nn.BatchNorm2d(w))
            c = w
        self.fc = nn.Linear(c, 1)

    def forward(self, x):
        n = len(self.convs)
        for i in range(n):
            x = F.max_pool2d(F.relu(self.bns[i](self.ses[i](self.convs[i](x)))), self.pool)
            if i < n - 1:
                x = F.dropout(x, self.dropout, self.training)
        return self.fc(F.dropout(x.mean((2, 3)), self.dropout, self.training))


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


def encoder(dims, nz, w=32):
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
        f = self.f(x)
        # sigmoid in float32, as BeatGanDiscriminator: a bf16 logit rounds sigmoid(z) to exactly 1 for z > ~5.5
        return torch.sigmoid(self.h(f).flatten().float()), f


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


class BasicBlock1d(nn.Module):
    def __init__(self, i, o, stride, k1=5, k2=3):
        super().__init__()
        self.c1, self.b1 = nn.Conv1d(i, o, k1, stride, k1 // 2, bias=False), nn.BatchNorm1d(o)
        self.c2, self.b2 = nn.Conv1d(o, o, k2, 1, k2 // 2, bias=False), nn.BatchNorm1d(o)
        self.down = None
        if stride != 1 or i != o:
            self.down = nn.Sequential(nn.Conv1d(i, o, 1, stride, bias=False), nn.BatchNorm1d(o))

    def forward(self, x):
        h = F.relu(self.b1(self.c1(x)))
        h = self.b2(self.c2(h))
        return F.relu(h + (x if self.down is None else self.down(x)))


class ResNet1d(nn.Module):
    """The framework's default resnet1d (PTB-XL benchmark shape): stem 128@7, 3 blocks of 128, concat-pool head."""

    def __init__(self, channels=12, width=128, blocks=(128, 128, 128), hidden=128, dropout=0.5):
        super().__init__()
        self.stem, self.stem_bn = nn.Conv1d(channels, width, 7, 1, 3, bias=False), nn.BatchNorm1d(width)
        layers, c = [], width
        for i, w in enumerate(blocks):
            layers.append(BasicBlock1d(c, w, 1 if i == 0 else 2))
            c = w
        self.blocks = nn.Sequential(*layers)
        self.bn1, self.fc1, self.bn2, self.out = nn.BatchNorm1d(2 * c), nn.Linear(2 * c, hidden), nn.BatchNorm1d(hidden), nn.Linear(hidden, 1)
        self.dropout = dropout

    def forward(self, x):
        h = self.blocks(F.relu(self.stem_bn(self.stem(x))))
        h = torch.cat([h.mean(2), h.amax(2)], 1)
        h = F.dropout(self.bn1(h), self.dropout / 2, self.training)
        h = F.dropout(self.bn2(F.relu(self.fc1(h))), self.dropout, self.training)
        return self.out(h)


class LstmClassifier(nn.Module):
    """The framework's default lstm classifier: 2-layer BiLSTM(12 -> 64), last hidden states, dropout 0.2."""

    def __init__(self, channels=12, hidden=64, layers=2, dropout=0.2):
        super().__init__()
        self.lstm = nn.LSTM(channels, hidden, layers, batch_first=True, dropout=dropout, bidirectional=True)
        self.fc = nn.Linear(2 * hidden, 1)
        self.dropout = dropout

    def forward(self, x):
        _, (h, _) = self.lstm(x.transpose(1, 2))
        return self.fc(F.dropout(torch.cat([h[-2], h[-1]], 1), self.dropout, self.training))


# Autocast scope around forward and loss: fp32 (none) or bf16 (`build ... bf16`), as the C# trainers do.
PRECISION = contextlib.nullcontext


class Supervised:
    """One optimiser over one model; a step is zero_grad, forward, loss, backward, step."""

    def __init__(self, model, x, target, loss, opt):
        self.model, self.x, self.target, self.loss, self.opt = model.train(), x, target, loss, opt
        self.params = sum(p.numel() for p in model.parameters())

    def step(self):
        self.opt.zero_grad(set_to_none=True)
        with PRECISION():
            loss = self.loss(self.model(self.x), self.target)
        loss.backward()
        self.opt.step()


class GanStep:
    """SPEC 2.4 GAN step as BeatGanTrainer does it: D on real vs detached fake, then G on MSE + feature matching."""

    def __init__(self, dims, x):
        self.g, self.d, self.x = Generator(dims).train(), Discriminator(dims).train(), x
        self.og = torch.optim.Adam(self.g.parameters(), lr=1e-4, betas=(0.5, 0.999))
        self.od = torch.optim.Adam(self.d.parameters(), lr=1e-4, betas=(0.5, 0.999))
        self.ones, self.zeros = torch.ones(x.size(0), device=x.device), torch.zeros(x.size(0), device=x.device)
        self.params = sum(p.numel() for p in self.g.parameters()) + sum(p.numel() for p in self.d.parameters())

    def step(self):
        with PRECISION():
            fake = self.g(self.x)
        self.od.zero_grad(set_to_none=True)
        with PRECISION():
            p_real, _ = self.d(self.x)
            p_fake, _ = self.d(fake.detach())
        # BCE outside autocast on float32 probabilities (CUDA autocast refuses binary_cross_entropy), as the trainer does
        loss_d = F.binary_cross_entropy(p_real, self.ones) + F.binary_cross_entropy(p_fake, self.zeros)
        loss_d.backward()
        self.od.step()
        self.og.zero_grad(set_to_none=True)
        with PRECISION():
            _, f_fake = self.d(fake)
            _, f_real = self.d(self.x)
            loss_g = F.mse_loss(fake, self.x) + F.mse_loss(f_fake, f_real.detach())
        loss_g.backward()
        self.og.step()
        return loss_g.item(), loss_d.item()  # the trainer reads both losses every step


def binary(model, shape, lr, dev):
    x = torch.randn(shape, device=dev)
    y = torch.randint(0, 2, (shape[0], 1), device=dev).float()
    return Supervised(model, x, y, F.binary_cross_entropy_with_logits, torch.optim.Adam(model.parameters(), lr=lr))


def l1_sum(y, x):
    return F.l1_loss(y, x, reduction="sum") / x.size(0)


def autoencoder(model, b, dev):
    x = torch.randn(b, 140, 1, device=dev)
    return Supervised(model, x, x, l1_sum, torch.optim.Adam(model.parameters(), lr=1e-3))


def stft_cnn(b, dev):
    m = StftCnn().to(dev)
    x = torch.rand(b, 3, 64, 64, device=dev)
    y = torch.randint(0, 5, (b,), device=dev)
    return Supervised(m, x, y, F.cross_entropy, torch.optim.Adam(m.parameters(), lr=1e-3))


def bilstm(b, dev):
    m = BiLstmAttention().to(dev)
    x = torch.rand(b, 1000, device=dev)
    y = torch.randn(b, 12, 1000, device=dev)
    return Supervised(m, x, y, F.mse_loss, torch.optim.AdamW(m.parameters(), lr=1e-3, weight_decay=1e-2))


# name -> (batch, device) -> step; the same cases, batches and optimisers as SeedModels.cs
CASES = {
    "cnn2d": lambda b, dev: binary(Cnn2d().to(dev), (b, 1, 151, 151), 2e-3, dev),
    "se_cnn": lambda b, dev: binary(Cnn2d((16, 32, 64), (3, 9), (1, 0), (2, 4), se=4, dropout=0.3).to(dev), (b, 1, 12, 1000), 2e-3, dev),
    "stft_cnn": stft_cnn,
    "bilstm_attention": bilstm,
    "b2i_gan": lambda b, dev: GanStep(2, torch.rand(b, 1, 128, 128, device=dev) * 2 - 1),
    "beatgan": lambda b, dev: GanStep(1, torch.rand(b, 1, 320, device=dev) * 2 - 1),
    "lstm_ae": lambda b, dev: autoencoder(LstmAe(64).to(dev), b, dev),
    "transformer_ae": lambda b, dev: autoencoder(TransformerAe(4, 512, 2, 2).to(dev), b, dev),
    "resnet1d": lambda b, dev: binary(ResNet1d().to(dev), (b, 12, 1000), 3e-3, dev),
    "lstm": lambda b, dev: binary(LstmClassifier().to(dev), (b, 12, 1000), 3e-3, dev),
}


def timed_steps(case, n, device):
    """(wall seconds, process CPU seconds) of each step; CPU time counts every thread (OpenMP, OpenBLAS)."""
    times = []
    for _ in range(n):
        c, t = time.process_time(), time.perf_counter()
        case.step()
        if device.startswith("cuda"):
            torch.cuda.synchronize()
        times.append((time.perf_counter() - t, time.process_time() - c))
    return times


def serve():
    case, device = None, "cpu"
    for line in sys.stdin:
        words = line.split()
        if not words:
            continue
        try:
            if words[0] == "build":
                name, threads, device, batch = words[1], int(words[2]), words[3], int(words[4])
                precision = words[5] if len(words) > 5 else "fp32"
                global PRECISION
                PRECISION = contextlib.nullcontext if precision == "fp32" else (
                    lambda: torch.autocast(device.split(":")[0], dtype=torch.bfloat16))
                torch.set_num_threads(threads)
                torch.manual_seed(0)
                case = None
                case = CASES[name](batch, device)
                print("ok", case.params, flush=True)
            elif words[0] == "steps":
                times = timed_steps(case, int(words[1]), device)
                print("ok", " ".join(f"{w!r},{c!r}" for w, c in times), flush=True)
            elif words[0] == "profile":
                n = int(words[1])
                cpu, wall = time.process_time(), time.perf_counter()
                with torch.autograd.profiler.profile() as prof:
                    timed_steps(case, n, device)
                cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
                ops = prof.key_averages()
                print("ok", repr(cpu), repr(wall), len(ops))
                for o in ops:
                    print(f"{o.key}\t{o.count}\t{o.cpu_time_total}\t{o.self_cpu_time_total}")
                sys.stdout.flush()
            elif words[0] == "quit":
                return
            else:
                print("error unknown command", words[0], flush=True)
        except Exception as e:  # the C# side shows the message and stops the row
            print("error", type(e).__name__, str(e).replace("\n", " "), flush=True)


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "list":
        for n, make in CASES.items():
            print(n, make(2, "cpu").params)
    else:
        serve()
