#!/usr/bin/env python3
"""PyTorch reference for MlNetVision's benchmarks: the same work, done the same way, with plain PyTorch.

The C# harness (benchmarks/MlNetVision.Benchmarks) runs this script as a subprocess and reads the one line that
starts with "RESULT " (a JSON object). Commands:

  train  --arch A --size S --bs B [--frozen] --mode tensors|e2e|profile [--folder DIR] [--epochs E] [--steps N] [--warmup W]
  infer  --arch A --size S --bs B [--steps N] [--latency-runs N] [--folder DIR]

Same as ours: the architecture (below), input normalisation inside the model, fastai's head, fastai v1's frozen state
(body frozen except BatchNorm), AdamW with betas (0.9, 0.99) and decoupled weight decay 1e-2, the one-cycle schedule
(PyTorch's OneCycleLR, which our schedule matches), and fastai v1's default augmentation run batched on tensors
(one sampling grid per batch). Weights are randomly initialised: the cost of a step does not depend on them.
"""
import argparse
import json
import math
import os
import time

import torch
import torch.nn as nn
import torch.nn.functional as F

# ---------------------------------------------------------------------------------------------------------------
# Architectures: the same table as MlNetVision.Models.Architectures.

IMAGENET = dict(bgr=False, scale=1.0, mean=[0.485, 0.456, 0.406], std=[0.229, 0.224, 0.225])
MLNET = dict(bgr=True, scale=255.0, mean=[103.0626, 115.9029, 123.1516], std=[1.0, 1.0, 1.0])
ARCHS = {
    # CNTK export in ML.NET's DnnImageFeaturizer: blocks [2,2,2,3], asymmetric padding, BGR 0..255 input.
    "resnet18-mlnet": dict(layers=[2, 2, 2, 3], cntk=True, norm=MLNET),
    "resnet18": dict(layers=[2, 2, 2, 2], cntk=False, norm=IMAGENET),
    "resnet34": dict(layers=[3, 4, 6, 3], cntk=False, norm=IMAGENET),
    # Bottleneck layouts: torchvision's own modules (v1.5: the stride on the 3x3), as MlNetVision's ResNetBody builds them.
    "resnet50": dict(torchvision="resnet50", norm=IMAGENET),
    "resnet101": dict(torchvision="resnet101", norm=IMAGENET),
    "resnet152": dict(torchvision="resnet152", norm=IMAGENET),
}


class Normalize(nn.Module):
    def __init__(self, norm):
        super().__init__()
        self.bgr = norm["bgr"]
        self.scale = norm["scale"]
        self.register_buffer("mean", torch.tensor(norm["mean"]).view(1, 3, 1, 1))
        self.register_buffer("std", torch.tensor(norm["std"]).view(1, 3, 1, 1))

    def forward(self, x):
        if self.bgr:
            x = x.flip(1)
        return (x * self.scale - self.mean) / self.std


class BasicBlock(nn.Module):
    def __init__(self, inplanes, planes, stride, cntk):
        super().__init__()
        # CNTK pads stride-2 3x3 convolutions one row/column at the top/left only.
        self.pad1 = (1, 0, 1, 0) if (cntk and stride == 2) else None
        self.conv1 = nn.Conv2d(inplanes, planes, 3, stride, 0 if self.pad1 else 1, bias=False)
        self.bn1 = nn.BatchNorm2d(planes)
        self.conv2 = nn.Conv2d(planes, planes, 3, 1, 1, bias=False)
        self.bn2 = nn.BatchNorm2d(planes)
        self.downsample = None
        if stride != 1 or inplanes != planes:
            self.downsample = nn.Sequential(nn.Conv2d(inplanes, planes, 1, stride, bias=False), nn.BatchNorm2d(planes))

    def forward(self, x):
        y = F.pad(x, self.pad1) if self.pad1 else x
        y = F.relu(self.bn1(self.conv1(y)))
        y = self.bn2(self.conv2(y))
        return F.relu(y + (self.downsample(x) if self.downsample is not None else x))


class Body(nn.Module):
    def __init__(self, layers, cntk):
        super().__init__()
        self.cntk = cntk
        self.conv1 = nn.Conv2d(3, 64, 7, 2, 0 if cntk else 3, bias=False)
        self.bn1 = nn.BatchNorm2d(64)
        inplanes = 64
        stages = []
        for planes, blocks, stride in zip([64, 128, 256, 512], layers, [1, 2, 2, 2]):
            mods = []
            for i in range(blocks):
                mods.append(BasicBlock(inplanes, planes, stride if i == 0 else 1, cntk))
                inplanes = planes
            stages.append(nn.Sequential(*mods))
        self.layer1, self.layer2, self.layer3, self.layer4 = stages
        for m in self.modules():
            if isinstance(m, nn.Conv2d):
                nn.init.kaiming_normal_(m.weight, mode="fan_out", nonlinearity="relu")

    def forward(self, x):
        if self.cntk:
            x = F.pad(x, (3, 2, 3, 2))
        x = F.relu(self.bn1(self.conv1(x)))
        x = F.max_pool2d(F.pad(x, (1, 0, 1, 0)), 3, 2, 0) if self.cntk else F.max_pool2d(x, 3, 2, 1)
        return self.layer4(self.layer3(self.layer2(self.layer1(x))))


class TorchvisionBody(nn.Module):
    """torchvision's ResNet cut before its pool and fc (fastai cut=-2), random init, with the names layer_groups uses."""

    def __init__(self, name):
        super().__init__()
        import torchvision
        m = getattr(torchvision.models, name)()
        self.conv1, self.bn1 = m.conv1, m.bn1
        self.layer1, self.layer2, self.layer3, self.layer4 = m.layer1, m.layer2, m.layer3, m.layer4

    def forward(self, x):
        x = F.max_pool2d(F.relu(self.bn1(self.conv1(x))), 3, 2, 1)
        return self.layer4(self.layer3(self.layer2(self.layer1(x))))


class ConcatPool(nn.Module):
    def forward(self, x):
        return torch.cat([F.adaptive_max_pool2d(x, 1), F.adaptive_avg_pool2d(x, 1)], 1)


def create_head(nf, nc):
    """fastai v1 create_head: concat pool, flatten, BN/dropout/linear(/ReLU), Kaiming-normal linears."""
    lin1, lin2 = nn.Linear(2 * nf, 512), nn.Linear(512, nc)
    for lin in (lin1, lin2):
        nn.init.kaiming_normal_(lin.weight)
        nn.init.zeros_(lin.bias)
    return nn.Sequential(ConcatPool(), nn.Flatten(), nn.BatchNorm1d(2 * nf), nn.Dropout(0.25), lin1, nn.ReLU(inplace=True),
                         nn.BatchNorm1d(512), nn.Dropout(0.5), lin2)


class VisionModel(nn.Module):
    def __init__(self, arch, nc):
        super().__init__()
        a = ARCHS[arch]
        self.normalize = Normalize(a["norm"])
        if "torchvision" in a:
            self.body, nf = TorchvisionBody(a["torchvision"]), 2048
        else:
            self.body, nf = Body(a["layers"], a["cntk"]), 512
        self.head = create_head(nf, nc)

    def forward(self, x):
        return self.head(self.body(self.normalize(x)))


def freeze_body(model):
    """fastai v1 freeze with train_bn: body parameters get no gradient, except BatchNorm's."""
    for m in model.body.modules():
        is_bn = isinstance(m, nn.BatchNorm2d)
        for p in m.parameters(recurse=False):
            p.requires_grad_(is_bn)


def layer_groups(model):
    """fastai v1 _resnet_split: stem+layer1+layer2, layer3+layer4, head."""
    b = model.body
    g1 = [p for m in (b.conv1, b.bn1, b.layer1, b.layer2) for p in m.parameters()]
    g2 = [p for m in (b.layer3, b.layer4) for p in m.parameters()]
    return [g1, g2, list(model.head.parameters())]


def make_optimizer(model, total_steps, max_lr):
    """AdamW over the three layer groups; one-cycle with fastai's default slice(max_lr): max_lr/10 for the body's
    groups, max_lr for the head. Frozen parameters are left out (they get no gradient)."""
    groups = [{"params": [p for p in g if p.requires_grad]} for g in layer_groups(model)]
    rates = [max_lr / 10, max_lr / 10, max_lr]
    rates = [r for g, r in zip(groups, rates) if g["params"]]
    groups = [g for g in groups if g["params"]]
    opt = torch.optim.AdamW(groups, lr=max_lr, betas=(0.9, 0.99), eps=1e-8, weight_decay=1e-2)
    sched = torch.optim.lr_scheduler.OneCycleLR(opt, max_lr=rates, total_steps=total_steps, pct_start=0.3,
                                                anneal_strategy="cos", cycle_momentum=True, base_momentum=0.85,
                                                max_momentum=0.95, div_factor=25.0, final_div_factor=1e4)
    return opt, sched


# ---------------------------------------------------------------------------------------------------------------
# Data: decode and resize with PIL, fastai v1 get_transforms() defaults applied batched on tensors.

IMAGE_EXTS = (".png", ".jpg", ".jpeg", ".bmp", ".gif", ".webp")


def list_folder(folder):
    classes = sorted(d for d in os.listdir(folder) if os.path.isdir(os.path.join(folder, d)))
    items = []
    for i, c in enumerate(classes):
        for f in sorted(os.listdir(os.path.join(folder, c))):
            if f.lower().endswith(IMAGE_EXTS):
                items.append((os.path.join(folder, c, f), i))
    return classes, items


def decode(path, size, rng):
    """Decode to RGB and resize so the shorter side is `size`, then a random crop (fastai v1 ResizeMethod.CROP)."""
    from PIL import Image
    with Image.open(path) as im:
        im = im.convert("RGB")
        w, h = im.size
        s = size / min(w, h)
        nw, nh = max(size, round(w * s)), max(size, round(h * s))
        im = im.resize((nw, nh), Image.BILINEAR)
        if rng is None:  # validation: centre crop
            x0, y0 = (nw - size) // 2, (nh - size) // 2
        else:
            x0 = int(torch.randint(0, nw - size + 1, (1,), generator=rng)) if nw > size else 0
            y0 = int(torch.randint(0, nh - size + 1, (1,), generator=rng)) if nh > size else 0
        im = im.crop((x0, y0, x0 + size, y0 + size))
        t = torch.frombuffer(bytearray(im.tobytes()), dtype=torch.uint8).view(size, size, 3)
    return t.permute(2, 0, 1)


def augment(x, rng, p_affine=0.75, p_lighting=0.75, max_rotate=10.0, max_zoom=1.1, max_warp=0.2, max_lighting=0.2):
    """fastai v1 get_transforms() defaults on a float batch [B,3,H,W] in 0..1, with one grid_sample per batch:
    flip (p 0.5), rotate ±10°, zoom 1..1.1, symmetric warp ±0.2 (each p 0.75), then brightness and contrast."""
    b = x.shape[0]
    u = lambda lo, hi: torch.rand(b, generator=rng) * (hi - lo) + lo
    on = lambda p: (torch.rand(b, generator=rng) < p).float()
    # Affine part in normalised coordinates, mapping output to input (as affine_grid does).
    flip = torch.where(torch.rand(b, generator=rng) < 0.5, -1.0, 1.0)
    angle = u(-max_rotate, max_rotate) * on(p_affine) * math.pi / 180
    scale = 1 / (1 + (u(1, max_zoom) - 1) * on(p_affine))
    cos, sin = torch.cos(angle) * scale, torch.sin(angle) * scale
    m = torch.zeros(b, 3, 3)
    m[:, 0, 0], m[:, 0, 1], m[:, 1, 0], m[:, 1, 1], m[:, 2, 2] = cos * flip, -sin, sin * flip, cos, 1
    # Symmetric warp: a perspective tilt by magnitudes in [-0.2, 0.2] on each axis.
    wm = on(p_affine)
    m[:, 2, 0] = u(-max_warp, max_warp) * wm
    m[:, 2, 1] = u(-max_warp, max_warp) * wm
    h, w = x.shape[2], x.shape[3]
    ys = torch.linspace(-1 + 1 / h, 1 - 1 / h, h)
    xs = torch.linspace(-1 + 1 / w, 1 - 1 / w, w)
    gy, gx = torch.meshgrid(ys, xs, indexing="ij")
    base = torch.stack([gx, gy, torch.ones_like(gx)], -1).view(1, h * w, 3)
    coords = base @ m.transpose(1, 2)
    grid = (coords[..., :2] / coords[..., 2:].clamp_min(1e-3)).view(b, h, w, 2)
    x = F.grid_sample(x, grid, mode="bilinear", padding_mode="reflection", align_corners=False)
    # Lighting in logit space (fastai v1 brightness/contrast).
    lm = on(p_lighting).view(b, 1, 1, 1)
    bright = u(0.5 - max_lighting / 2, 0.5 + max_lighting / 2).view(b, 1, 1, 1)
    contrast = torch.exp(u(math.log(1 - max_lighting), -math.log(1 - max_lighting))).view(b, 1, 1, 1)
    logit = torch.logit(x.clamp(1e-6, 1 - 1e-6))
    lit = torch.sigmoid((logit + torch.logit(bright)) * contrast)
    return torch.where(lm > 0, lit, x)


def batches(items, size, bs, rng, train=True):
    """Training: shuffled, last partial batch dropped (as fastai); validation: in order, centre crop."""
    order = torch.randperm(len(items), generator=rng).tolist() if train else list(range(len(items)))
    stop = len(order) - bs + 1 if train else len(order)
    for i in range(0, stop, bs):
        chunk = [items[j] for j in order[i:i + bs]]
        imgs = torch.stack([decode(p, size, rng if train else None) for p, _ in chunk])
        labels = torch.tensor([c for _, c in chunk], dtype=torch.int64)
        yield imgs, labels


# ---------------------------------------------------------------------------------------------------------------
# Commands.

def train_step(model, opt, sched, x, y):
    loss = F.cross_entropy(model(x), y)
    opt.zero_grad(set_to_none=True)
    loss.backward()
    opt.step()
    sched.step()
    return float(loss)


def validate(model, items, size, bs):
    """Mean loss and error rate over the validation items, as the Learner does after every epoch."""
    model.eval()
    loss_sum, wrong, n = 0.0, 0, 0
    with torch.no_grad():
        for imgs, labels in batches(items, size, bs, None, train=False):
            out = model(imgs.float().div_(255))
            loss_sum += float(F.cross_entropy(out, labels, reduction="sum"))
            wrong += int((out.argmax(1) != labels).sum())
            n += labels.shape[0]
    model.train()
    return loss_sum / max(1, n), wrong / max(1, n)


def to_channels_last(x):
    return x.contiguous(memory_format=torch.channels_last)


def profile_steps(model, a, nc, rng):
    """The step's phases (forward with the loss, zero grad, backward, optimiser step), median ms per step, and
    torch.autograd.profiler's self CPU time per operator, averaged over the profiled steps."""
    opt, sched = make_optimizer(model, a.warmup + a.steps, a.lr)
    xs = [torch.rand(a.bs, 3, a.size, a.size, generator=rng) for _ in range(a.warmup + a.steps)]
    if a.channels_last:
        xs = [to_channels_last(x) for x in xs]
    ys = [torch.randint(0, nc, (a.bs,), generator=rng) for _ in range(a.warmup + a.steps)]
    phases = []

    def step(x, y):
        t0 = time.perf_counter()
        loss = F.cross_entropy(model(x), y)
        float(loss)
        t1 = time.perf_counter()
        opt.zero_grad(set_to_none=True)
        t2 = time.perf_counter()
        loss.backward()
        t3 = time.perf_counter()
        opt.step()
        sched.step()
        t4 = time.perf_counter()
        return [(t1 - t0) * 1e3, (t2 - t1) * 1e3, (t3 - t2) * 1e3, (t4 - t3) * 1e3]

    for i in range(a.warmup):
        step(xs[i], ys[i])
    for i in range(a.warmup, a.warmup + a.steps):
        phases.append(step(xs[i], ys[i]))
    # The profiler's own overhead would distort the phase times above, so it runs over the same number of extra steps.
    opt, sched = make_optimizer(model, a.steps, a.lr)
    with torch.autograd.profiler.profile() as prof:
        for i in range(a.warmup, a.warmup + a.steps):
            step(xs[i], ys[i])
    ops = sorted(prof.key_averages(), key=lambda e: e.self_cpu_time_total, reverse=True)[:a.top]
    med = [sorted(p[k] for p in phases)[len(phases) // 2] for k in range(4)]
    return dict(step_ms=sum(med), forward_ms=med[0], zero_grad_ms=med[1], backward_ms=med[2], optimizer_ms=med[3],
                ops=[dict(name=e.key, self_ms=e.self_cpu_time_total / 1e3 / a.steps, calls=e.count / a.steps) for e in ops])


def cmd_train(a):
    rng = torch.Generator().manual_seed(a.seed)
    torch.manual_seed(a.seed)
    nc = a.classes
    if a.mode == "e2e":
        # The same folder as ours: train/ and valid/, one folder per class.
        classes, items = list_folder(os.path.join(a.folder, "train"))
        _, valid_items = list_folder(os.path.join(a.folder, "valid"))
        nc = len(classes)
    model = VisionModel(a.arch, nc)
    if a.frozen:
        freeze_body(model)
    model.train()
    # Warm-up on tensors (not timed): libtorch's allocator and thread pool, as on our side.
    wx = torch.rand(a.bs, 3, a.size, a.size)
    wy = torch.randint(0, nc, (a.bs,))
    opt, sched = make_optimizer(model, a.warmup + 1, a.lr)
    for _ in range(a.warmup):
        train_step(model, opt, sched, wx, wy)
    if a.mode == "profile":
        out = profile_steps(model, a, nc, rng)
    elif a.mode == "tensors":
        opt, sched = make_optimizer(model, a.steps, a.lr)
        # A fresh batch per step: repeating one batch lets the network fit it, and steps on a collapsed loss are
        # not the steps of a real fit.
        xs = [torch.rand(a.bs, 3, a.size, a.size, generator=rng) for _ in range(a.steps)]
        ys = [torch.randint(0, nc, (a.bs,), generator=rng) for _ in range(a.steps)]
        t0 = time.perf_counter()
        for x, y in zip(xs, ys):
            train_step(model, opt, sched, x, y)
        seconds = time.perf_counter() - t0
        images = a.steps * a.bs
        out = dict(images=images, seconds=seconds, images_per_s=images / seconds)
    else:
        steps_per_epoch = len(items) // a.bs
        opt, sched = make_optimizer(model, steps_per_epoch * a.epochs, a.lr)
        t_decode = t_aug = t_step = t_valid = 0.0
        images = 0
        t0 = time.perf_counter()
        for _ in range(a.epochs):
            model.train()
            it = batches(items, a.size, a.bs, rng)
            while True:
                t1 = time.perf_counter()
                try:
                    imgs, labels = next(it)
                except StopIteration:
                    break
                t2 = time.perf_counter()
                x = augment(imgs.float().div_(255), rng)
                t3 = time.perf_counter()
                train_step(model, opt, sched, x, labels)
                t4 = time.perf_counter()
                t_decode += t2 - t1
                t_aug += t3 - t2
                t_step += t4 - t3
                images += labels.shape[0]
            t5 = time.perf_counter()
            validate(model, valid_items, a.size, a.bs)
            t_valid += time.perf_counter() - t5
        seconds = time.perf_counter() - t0
        out = dict(images=images, seconds=seconds, images_per_s=images / seconds,
                   decode_s=t_decode, augment_s=t_aug, step_s=t_step, validate_s=t_valid)
    out.update(torch=torch.__version__, threads=torch.get_num_threads())
    print("RESULT " + json.dumps(out), flush=True)


def cmd_infer(a):
    torch.manual_seed(a.seed)
    model = VisionModel(a.arch, a.classes).eval()
    x = torch.rand(a.bs, 3, a.size, a.size)
    x1 = torch.rand(1, 3, a.size, a.size)
    with torch.no_grad():
        for _ in range(a.warmup):
            model(x)
            model(x1)
        t0 = time.perf_counter()
        for _ in range(a.steps):
            model(x)
        seconds = time.perf_counter() - t0
        lat = []
        for _ in range(a.latency_runs):
            t1 = time.perf_counter()
            model(x1)
            lat.append((time.perf_counter() - t1) * 1000)
    lat.sort()
    out = dict(images=a.steps * a.bs, seconds=seconds, images_per_s=a.steps * a.bs / seconds,
               latency_ms_median=lat[len(lat) // 2], latency_ms_p90=lat[min(len(lat) - 1, int(len(lat) * 0.9))],
               torch=torch.__version__, threads=torch.get_num_threads())
    if a.folder:
        # One image at a time from its file, as learn.predict does: PIL decode, resize + centre crop, forward, softmax.
        _, items = list_folder(a.folder)
        with torch.no_grad():
            for p, _ in items[:2]:
                model(decode(p, a.size, None).unsqueeze(0).float().div_(255)).softmax(1)
            file_lat = []
            t0 = time.perf_counter()
            for p, _ in items:
                t1 = time.perf_counter()
                model(decode(p, a.size, None).unsqueeze(0).float().div_(255)).softmax(1).tolist()
                file_lat.append((time.perf_counter() - t1) * 1000)
            file_seconds = time.perf_counter() - t0
        file_lat.sort()
        out.update(files=len(items), files_per_s=len(items) / file_seconds, file_latency_ms_median=file_lat[len(file_lat) // 2],
                   file_latency_ms_p90=file_lat[min(len(file_lat) - 1, int(len(file_lat) * 0.9))])
    print("RESULT " + json.dumps(out), flush=True)


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = p.add_subparsers(dest="cmd", required=True)
    for name in ("train", "infer"):
        s = sub.add_parser(name)
        s.add_argument("--arch", default="resnet18-mlnet", choices=sorted(ARCHS))
        s.add_argument("--size", type=int, default=64)
        s.add_argument("--bs", type=int, default=64)
        s.add_argument("--classes", type=int, default=10)
        s.add_argument("--steps", type=int, default=10)
        s.add_argument("--warmup", type=int, default=2)
        s.add_argument("--threads", type=int, default=2)
        s.add_argument("--seed", type=int, default=42)
    t = sub.choices["train"]
    t.add_argument("--frozen", action="store_true")
    t.add_argument("--mode", choices=["tensors", "e2e", "profile"], default="tensors")
    t.add_argument("--top", type=int, default=12, help="profile: operators listed")
    t.add_argument("--channels-last", action="store_true", help="profile: batches in channels-last memory format")
    t.add_argument("--folder")
    t.add_argument("--epochs", type=int, default=1)
    t.add_argument("--lr", type=float, default=3e-3)
    sub.choices["infer"].add_argument("--latency-runs", type=int, default=20)
    sub.choices["infer"].add_argument("--folder", help="class folders of image files to predict one by one")
    a = p.parse_args()
    torch.set_num_threads(a.threads)
    {"train": cmd_train, "infer": cmd_infer}[a.cmd](a)


if __name__ == "__main__":
    main()
