#!/usr/bin/python3
"""Exports the real-exporter fixture set (test/fixtures/real/) with torch's own ONNX exporter.

Run by hand, not in CI (needs Debian's python3-torch, python3-torchvision, python3-onnx; install
libopenblas0-pthread too or torch's matrix products run ~20x slower):

    /usr/bin/python3 scripts/export-fixtures.py

Every model is a reduced-width, reduced-depth torchvision model built from its own constructor
(block settings), so the graph has the real op structure of the full model (channel-last
LayerNorms, window partitions, squeeze-excitation, decomposed activations) at a size that
keeps each file under 1 MB. Weights are random (fixed seed); the tests measure layouts and
exact identities, not accuracy. The manifest records what each file must show: the true
channel widths (the output widths of every conv, linear and norm layer: every width a map of the
model can have), the activation calls counted with forward hooks, and the number of residual and
transformer blocks (modules that add their input back).
"""
import json
import os
import sys
from collections import Counter

import onnx
import torch
from torch import nn
from torchvision.models import convnext, efficientnet, maxvit, mobilenetv3, regnet, resnet, swin_transformer

OUT = os.path.join(os.path.dirname(__file__), '..', 'test', 'fixtures', 'real')
ACTIVATIONS = (nn.ReLU, nn.GELU, nn.SiLU, nn.Hardswish)


class SmallResNet(resnet.ResNet):
    """torchvision's ResNet with widths other than 64..512 (its constructor fixes them)."""

    def __init__(self, widths, layers, num_classes=10):
        nn.Module.__init__(self)
        self._norm_layer = nn.BatchNorm2d
        self.inplanes = widths[0]
        self.dilation = 1
        self.groups = 1
        self.base_width = 64
        self.conv1 = nn.Conv2d(3, widths[0], kernel_size=7, stride=2, padding=3, bias=False)
        self.bn1 = nn.BatchNorm2d(widths[0])
        self.relu = nn.ReLU(inplace=True)
        self.maxpool = nn.MaxPool2d(kernel_size=3, stride=2, padding=1)
        self.layer1 = self._make_layer(resnet.BasicBlock, widths[0], layers[0])
        self.layer2 = self._make_layer(resnet.BasicBlock, widths[1], layers[1], stride=2)
        self.layer3 = self._make_layer(resnet.BasicBlock, widths[2], layers[2], stride=2)
        self.layer4 = self._make_layer(resnet.BasicBlock, widths[3], layers[3], stride=2)
        self.avgpool = nn.AdaptiveAvgPool2d((1, 1))
        self.fc = nn.Linear(widths[3], num_classes)


class NhwcInput(nn.Module):
    """Takes NHWC images and permutes them inside, as TensorFlow-style exports do. Submodules keep
    their names (the wrapped model's children are this module's children), so tensor names match."""

    def __init__(self, model):
        super().__init__()
        self.inner_forward = model.forward
        for name, child in model.named_children():
            self.add_module(name, child)

    def forward(self, x):
        return self.inner_forward(x.permute(0, 3, 1, 2))


class AnisotropicConv(nn.Module):
    """A 1x1 conv with stride (4, 1): maps of H/4 x W, exactly translation invariant under roll
    with map shift (s/4, s) for input shifts s that are multiples of 4."""

    def __init__(self):
        super().__init__()
        self.conv = nn.Conv2d(3, 4, kernel_size=1, stride=(4, 1))
        self.relu = nn.ReLU()

    def forward(self, x):
        return self.relu(self.conv(x))


def activation_calls(model, size, channels_last=False):
    """Counts activation module calls (an activation module called twice, as ResNet's ReLU, counts twice)."""
    calls = Counter()

    def hook(module, _inputs, _output):
        calls[type(module).__name__] += 1

    handles = [m.register_forward_hook(hook) for m in model.modules() if isinstance(m, ACTIVATIONS)]
    with torch.no_grad():
        x = torch.randn(2, *size)
        model(x.permute(0, 2, 3, 1) if channels_last else x)
    for h in handles:
        h.remove()
    return dict(calls)


def residual_blocks(model):
    """Residual and transformer blocks: modules whose forward adds their input back."""
    count = 0
    for m in model.modules():
        if isinstance(m, (resnet.BasicBlock, resnet.Bottleneck, convnext.CNBlock, swin_transformer.SwinTransformerBlock,
                          regnet.ResBottleneckBlock, maxvit.MBConv, maxvit.PartitionAttentionLayer)):
            count += 1
        elif isinstance(m, (efficientnet.MBConv, mobilenetv3.InvertedResidual)) and m.use_res_connect:
            count += 1
    return count


def conv_widths(model):
    """Output widths of every conv, norm and linear layer: the widths a map or token tensor can have."""
    widths = set()
    for m in model.modules():
        if isinstance(m, nn.Conv2d):
            widths.add(m.out_channels)
        elif isinstance(m, nn.Linear):
            widths.add(m.out_features)
        elif isinstance(m, (nn.BatchNorm2d, nn.LayerNorm)):
            widths.add(int(m.weight.shape[0]) if m.weight is not None else 0)
    return widths


def export(name, model, size, opset, manifest, nhwc=False, dynamic=True, external=False, notes=''):
    torch.manual_seed(0)
    model.eval()
    calls = activation_calls(model, size, nhwc)
    c, h, w = size
    x = torch.randn(1 if not dynamic else 2, *((h, w, c) if nhwc else size))
    path = os.path.join(OUT, f'{name}.onnx')
    torch.onnx.export(
        model, x, path, opset_version=opset, input_names=['input'], output_names=['logits'],
        dynamic_axes={'input': {0: 'N'}, 'logits': {0: 'N'}} if dynamic else None, do_constant_folding=True,
    )
    if external:
        proto = onnx.load(path)
        if os.path.exists(os.path.join(OUT, f'{name}.weights')):
            os.remove(os.path.join(OUT, f'{name}.weights'))  # onnx appends to an existing file
        onnx.save_model(proto, path, save_as_external_data=True, all_tensors_to_one_file=True,
                        location=f'{name}.weights', size_threshold=0)
    files = [path] + ([os.path.join(OUT, f'{name}.weights')] if external else [])
    total = sum(os.path.getsize(f) for f in files)
    assert total <= 1_000_000, f'{name}: {total} bytes'
    manifest[name] = {
        'opset': opset,
        'input': {'layout': 'NHWC' if nhwc else 'NCHW', 'channels': c, 'height': h, 'width': w, 'fixedBatch': None if dynamic else 1},
        'widths': sorted(conv_widths(model)),
        'activationCalls': calls,
        'blocks': residual_blocks(model),
        'externalData': external,
        'bytes': total,
        'notes': notes,
    }
    print(f'{name}: {total} bytes, opset {opset}, calls {calls}')


def small_resnet():
    torch.manual_seed(0)
    return SmallResNet([8, 16, 32, 64], [1, 1, 1, 1])


def small_convnext():
    torch.manual_seed(0)
    cfg = convnext.CNBlockConfig
    return convnext.ConvNeXt([cfg(8, 16, 1), cfg(16, 32, 1), cfg(32, 64, 1), cfg(64, None, 1)], num_classes=10)


def main():
    os.makedirs(OUT, exist_ok=True)
    torch.set_num_threads(1)
    manifest = {}
    # ResNet: plain at opsets 9/11/17, NHWC-input twin, fixed batch 1, external data (two weight draws).
    for opset in (9, 11, 17):
        export(f'resnet_op{opset}', small_resnet(), (3, 64, 64), opset, manifest,
               notes='torchvision ResNet (BasicBlock), widths 8/16/32/64, one block per stage')
    export('resnet_nhwc', NhwcInput(small_resnet()), (3, 64, 64), 17, manifest, nhwc=True,
           notes='resnet_op17 taking NHWC input (permute inside); same weights, same tensor names')
    export('resnet_batch1', small_resnet(), (3, 64, 64), 17, manifest, dynamic=False,
           notes='resnet_op17 exported with a fixed batch of 1')
    export('resnet_external', small_resnet(), (3, 64, 64), 17, manifest, external=True,
           notes='resnet_op17 with its weights in resnet_external.weights')
    # ConvNeXt: channel-last blocks (permute, LayerNorm over C, Linear, GELU); decomposed LayerNorm at opset 14.
    export('convnext', small_convnext(), (3, 64, 64), 14, manifest,
           notes='ConvNeXt, 4 stages of 1 block, widths 8/16/32/64; LayerNorm decomposed (opset 14)')
    export('convnext_nhwc', NhwcInput(small_convnext()), (3, 64, 64), 14, manifest, nhwc=True,
           notes='convnext taking NHWC input; same weights and tensor names')
    torch.manual_seed(0)
    swin = swin_transformer.SwinTransformer(patch_size=[4, 4], embed_dim=8, depths=[2, 2, 1, 1], num_heads=[1, 2, 2, 4],
                                            window_size=[4, 4], stochastic_depth_prob=0.0, num_classes=10)
    export('swin', swin, (3, 64, 64), 14, manifest,
           notes='Swin-T structure, embed 8, depths 2/2/1/1, window 4, shifted windows (roll) in odd blocks')
    torch.manual_seed(0)
    mv = maxvit.MaxVit(input_size=(32, 32), stem_channels=8, partition_size=2, block_channels=[8, 16, 32],
                       block_layers=[1, 1, 1], head_dim=4, stochastic_depth_prob=0.0, num_classes=10)
    export('maxvit', mv, (3, 32, 32), 14, manifest,
           notes='MaxViT, 3 stages of 1 layer (MBConv + block attention + grid attention), partition 2')
    torch.manual_seed(0)
    mb = efficientnet.MBConvConfig
    eff = efficientnet.EfficientNet([mb(1, 3, 1, 8, 8, 1), mb(4, 3, 2, 8, 16, 2), mb(4, 5, 2, 16, 24, 1)], dropout=0.2,
                                    num_classes=10, last_channel=64)
    export('efficientnet', eff, (3, 32, 32), 13, manifest,
           notes='EfficientNet MBConv stages; SiLU exported as x*Sigmoid(x)')
    torch.manual_seed(0)
    ir = mobilenetv3.InvertedResidualConfig
    mbv3 = mobilenetv3.MobileNetV3([ir(8, 3, 8, 8, True, 'RE', 2, 1, 1.0), ir(8, 3, 32, 16, False, 'HS', 2, 1, 1.0),
                                    ir(16, 5, 48, 16, True, 'HS', 1, 1, 1.0)], last_channel=64, num_classes=10)
    export('mobilenetv3', mbv3, (3, 32, 32), 13, manifest,
           notes='MobileNetV3 inverted residuals; hardswish exported as x*HardSigmoid(x) (opset 13)')
    torch.manual_seed(0)
    rg = regnet.RegNet(regnet.BlockParams(depths=[1, 2], widths=[8, 16], group_widths=[4, 8], bottleneck_multipliers=[1.0, 1.0],
                                          strides=[2, 2], se_ratio=0.25), num_classes=10, stem_width=8)
    export('regnet', rg, (3, 32, 32), 14, manifest, notes='RegNet-Y structure (group conv, SE), 2 stages')
    torch.manual_seed(0)
    export('anisotropic', AnisotropicConv(), (3, 32, 32), 14, manifest,
           notes='1x1 conv, stride (4,1): one 4x8x32 map, also the output (a map output: its Final part)')
    with open(os.path.join(OUT, 'manifest.json'), 'w') as f:
        json.dump(manifest, f, indent=2, sort_keys=True)
        f.write('\n')


if __name__ == '__main__':
    sys.exit(main())
