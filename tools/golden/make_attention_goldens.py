#!/usr/bin/python3
"""Writes tests/EcgExperiments.Torch.Tests/Golden/attention_goldens.json: PyTorch's own nn.MultiheadAttention and
nn.TransformerEncoderLayer (batch_first, dropout 0) on seeded weights and inputs, the outputs and the input gradient
of out.sum(), for the test that our modules compute what PyTorch's do.

Run with Debian's interpreter (apt-get install -y python3-torch):
    /usr/bin/python3 tools/golden/make_attention_goldens.py
"""
import json
import os

import torch

OUT = os.path.join(os.path.dirname(__file__), "..", "..", "tests", "EcgExperiments.Torch.Tests", "Golden", "attention_goldens.json")


def flat(t):
    return [float(x) for x in t.detach().double().reshape(-1)]


def case(name, module, x):
    x = x.clone().requires_grad_(True)
    out = module(x, x, x, need_weights=False)[0] if isinstance(module, torch.nn.MultiheadAttention) else module(x)
    out.sum().backward()
    return {
        "name": name,
        "input_shape": list(x.shape),
        "input": flat(x),
        "state": {k: {"shape": list(v.shape), "values": flat(v)} for k, v in module.state_dict().items()},
        "output_shape": list(out.shape),
        "output": flat(out),
        "input_grad": flat(x.grad),
    }


def main():
    torch.manual_seed(20261207)
    torch.set_num_threads(1)
    cases = []
    mha = torch.nn.MultiheadAttention(4, 2, dropout=0.0, batch_first=True)
    cases.append(case("multihead_attention_e4_h2", mha, torch.randn(3, 7, 4)))
    layer = torch.nn.TransformerEncoderLayer(4, 2, 16, dropout=0.0, batch_first=True)
    layer.train()
    cases.append(case("transformer_encoder_layer_d4_h2_ff16", layer, torch.randn(2, 9, 4)))
    with open(OUT, "w") as f:
        json.dump({"generator": "tools/golden/make_attention_goldens.py", "torch": torch.__version__, "cases": cases}, f, indent=1)
    print(f"wrote {OUT} (torch {torch.__version__})")


if __name__ == "__main__":
    main()
