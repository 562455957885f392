"""The PyTorch peer of `npm run bench -- peer`: SPEC §3–4 the way researchers write it, with
forward hooks on torchvision's block outputs and the K×K channel products in torch.bmm.

  peer.py export <resnet50|vit_s16> <out.onnx>
      builds the seeded random-weight torchvision model and exports it (opset 17, dynamic batch),
      so that equiprobe measures the very same network;
  peer.py run <resnet50|vit_s16> <images.f32> <count> <threads> <batch>
      rebuilds the same model, reads `count` preprocessed CHW float32 images of 3×224×224 and
      measures rot90 (k = 1, 2, 3) on the stem, every block output, Pool and Final; prints one JSON
      line {seconds, layers, inv, eqv} (seconds: the measurement alone, model and images ready).

Needs Debian's python3-torch, python3-torchvision and libopenblas0-pthread (run with /usr/bin/python3).
"""
import json
import sys
import time

import torch
import torchvision
from torchvision.models.vision_transformer import VisionTransformer

U = 2.0 ** -24  # unit roundoff of float32 (SPEC §3)


def build(name):
    torch.manual_seed(0)
    if name == 'resnet50':
        model = torchvision.models.resnet50()
    else:
        # ViT-S/16 (timm's vit_small_patch16_224 sizes) in torchvision's implementation.
        model = VisionTransformer(image_size=224, patch_size=16, num_layers=12, num_heads=6, hidden_dim=384, mlp_dim=1536)
    return model.eval()


def probe_modules(name, model):
    """(label, module, kind) of the tensors equiprobe's `--layers blocks` probes, in depth order."""
    if name == 'resnet50':
        # The exporter folds bn1 into conv1: its Conv output is bn1's output (which the in-place
        # ReLU after it overwrites, hence the copy the hook keeps of it).
        blocks = [(f'{stage}.{i}', block, 'map') for stage in ['layer1', 'layer2', 'layer3', 'layer4'] for i, block in enumerate(getattr(model, stage))]
        return [('stem', model.bn1, 'map+copy'), *blocks, ('pool', model.avgpool, 'vector'), ('final', model.fc, 'vector')]
    blocks = [(f'block{i}', layer, 'tokens') for i, layer in enumerate(model.encoder.layers)]
    # Pool: the class token after the final LayerNorm (the encoder's output, token 0).
    return [('stem', model.conv_proj, 'map'), *blocks, ('pool', model.encoder, 'cls'), ('final', model.heads, 'vector')]


def as_map(t, kind):
    if kind == 'tokens':  # [n, 1 + s·s, D] → [n, D, s, s], class token dropped
        n, tokens, d = t.shape
        s = int(round((tokens - 1) ** 0.5))
        return t[:, 1:].reshape(n, s, s, d).permute(0, 3, 1, 2)
    return t


def as_vector(t, kind):
    return t[:, 0] if kind == 'cls' else t.reshape(t.shape[0], -1)


def standardise(rows, rho):
    """Unit rows (mean 0, norm 1) over the last axis and which are not constant (SPEC §3's scale-free rule)."""
    mean = rows.mean(-1, keepdim=True)
    centred = rows - mean
    sigma = centred.pow(2).mean(-1, keepdim=True).sqrt()
    valid = sigma > 32 * U * torch.maximum(mean.abs(), rho)
    unit = centred / (sigma * rows.shape[-1] ** 0.5).clamp_min(1e-30)
    return unit, valid.squeeze(-1)


def map_scores(f_t, f, k):
    """Sums and counts of inv and eqv over the defined pairs of one batch: F' = f_t, T'_g F = rot90(f, k)."""
    n, channels = f.shape[:2]
    b_rows = torch.rot90(f, k, dims=(2, 3)).reshape(n, channels, -1)
    a_rows = f_t.reshape(n, channels, -1)
    rms = lambda x: x.pow(2).mean(dim=(1, 2), keepdim=True).sqrt()
    a, va = standardise(a_rows, rms(a_rows))
    b, vb = standardise(b_rows, rms(b_rows))
    sim = torch.bmm(a, b.transpose(1, 2))  # [n, K, K]: every channel pair
    inv = sim.diagonal(dim1=1, dim2=2)
    eqv = sim.masked_fill(~vb.unsqueeze(1), float('-inf')).amax(-1)
    defined = va & vb
    return inv[defined].sum().item(), eqv[defined].sum().item(), defined.sum().item()


def vector_scores(v_t, v):
    """SPEC §4 for vectors: Pearson over the images of the run, per channel; eqv the max over c'."""
    rms = lambda x: x.pow(2).mean().sqrt().reshape(1, 1)
    a, va = standardise(v_t.T.double(), rms(v_t.double()))
    b, vb = standardise(v.T.double(), rms(v.double()))
    sim = a @ b.T
    inv = sim.diagonal()
    eqv = sim.masked_fill(~vb.unsqueeze(0), float('-inf')).amax(-1)
    defined = va & vb
    return inv[defined].sum().item(), eqv[defined].sum().item(), defined.sum().item()


def measure(name, images, threads, batch):
    torch.set_num_threads(threads)
    model = build(name)
    probes = probe_modules(name, model)
    captured = {}
    for label, module, kind in probes:
        copy = kind.endswith('+copy')
        module.register_forward_hook(lambda _m, _i, out, label=label, copy=copy: captured.__setitem__(label, out.clone() if copy else out))
    probes = [(label, module, kind.removesuffix('+copy')) for label, module, kind in probes]
    sums = {label: [0.0, 0.0, 0] for label, _, _ in probes}
    vectors = {label: {k: [] for k in range(4)} for label, _, kind in probes if kind in ('vector', 'cls')}
    start = time.perf_counter()
    with torch.no_grad():
        for i in range(0, images.shape[0], batch):
            x = images[i:i + batch]
            model(x)
            original = {label: as_map(captured[label], kind) if kind in ('map', 'tokens') else as_vector(captured[label], kind) for label, _, kind in probes}
            for label in vectors:
                vectors[label][0].append(original[label])
            for k in (1, 2, 3):
                model(torch.rot90(x, k, dims=(2, 3)))
                for label, _, kind in probes:
                    if kind in ('map', 'tokens'):
                        inv, eqv, count = map_scores(as_map(captured[label], kind), original[label], k)
                        s = sums[label]
                        s[0] += inv
                        s[1] += eqv
                        s[2] += count
                    else:
                        vectors[label][k].append(as_vector(captured[label], kind))
        for label, by_k in vectors.items():
            v = torch.cat(by_k[0])
            for k in (1, 2, 3):
                inv, eqv, count = vector_scores(torch.cat(by_k[k]), v)
                s = sums[label]
                s[0] += inv
                s[1] += eqv
                s[2] += count
    seconds = time.perf_counter() - start
    mean = lambda i: {label: (s[i] / s[2] if s[2] else None) for label, s in sums.items()}
    return {'seconds': seconds, 'layers': len(probes), 'inv': mean(0), 'eqv': mean(1)}


def main():
    command, name = sys.argv[1], sys.argv[2]
    if command == 'export':
        model = build(name)
        torch.onnx.export(model, torch.zeros(1, 3, 224, 224), sys.argv[3], opset_version=17, input_names=['x'], output_names=['logits'],
                          dynamic_axes={'x': {0: 'N'}, 'logits': {0: 'N'}})
        return
    path, count, threads, batch = sys.argv[3], int(sys.argv[4]), int(sys.argv[5]), int(sys.argv[6])
    images = torch.from_file(path, size=count * 3 * 224 * 224, dtype=torch.float32).reshape(count, 3, 224, 224)
    print(json.dumps(measure(name, images, threads, batch)))


if __name__ == '__main__':
    main()
