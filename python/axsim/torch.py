"""axsim.torch: PyTorch layers whose forward GEMM and both gradient GEMMs go
through axsim's MAC (docs/pytorch.md).

    import axsim.torch as axt
    model = axt.convert(model, mac="mul=mbm,in=bf16", bwd_mac="same")
    loss = axt.cross_entropy(model(x), y)     # axsim's loss and gradient, optional
    loss.backward()

convert swaps every nn.Linear and nn.Conv2d for ApproxLinear / ApproxConv2d
(same parameters, same names, so state_dicts keep loading). Each is a
torch.autograd.Function over libaxsim: the operands quantized to the MAC's
input format, every product and sum the MAC's, the results read back from
the accumulator format, and the bias gradient summed in double -- what
`axsim train` does, so a layer gives its bits. Tensors are float32 on the
CPU (others are refused); the engine's backend may be the GPU's (cuda).
"""
import numpy as np
import torch
import torch.nn as nn

from . import AxsimError, Engine, bias_grad, softmax_cross_entropy

__all__ = ["ApproxLinear", "ApproxConv2d", "convert", "cross_entropy"]


def _np(t):
    if t.dtype != torch.float32 or t.device.type != "cpu":
        raise AxsimError(f"axsim layers take float32 CPU tensors, not {t.dtype} on {t.device}")
    return t.detach().contiguous().numpy()


class _LinearFn(torch.autograd.Function):
    @staticmethod
    def forward(ctx, x, w, b, eng):
        n, fan = x.shape
        out = w.shape[0]
        y = torch.from_numpy(eng.linear(0, _np(x), _np(w), n, fan, out))
        if b is not None:
            y = y + b.detach()
        ctx.save_for_backward(x, w)
        ctx.eng, ctx.has_b = eng, b is not None
        return y

    @staticmethod
    def backward(ctx, dy):
        x, w = ctx.saved_tensors
        eng = ctx.eng
        n, fan = x.shape
        out = w.shape[0]
        d = _np(dy)
        dx = torch.from_numpy(eng.linear(1, d, _np(w), n, fan, out)) if ctx.needs_input_grad[0] else None
        dw = torch.from_numpy(eng.linear(2, _np(x), d, n, fan, out)) if ctx.needs_input_grad[1] else None
        db = torch.from_numpy(bias_grad(d, out, 1)) if ctx.has_b and ctx.needs_input_grad[2] else None
        return dx, dw, db, None


class _Conv2dFn(torch.autograd.Function):
    @staticmethod
    def forward(ctx, x, w, b, eng, geo):
        (sh, sw), (ph, pw), (dh, dw_), groups = geo
        n, c, h, wd = x.shape
        oc, _, kh, kw = w.shape
        oh = (h + 2 * ph - dh * (kh - 1) - 1) // sh + 1
        ow = (wd + 2 * pw - dw_ * (kw - 1) - 1) // sw + 1
        g = (n, c, h, wd, oc, kh, kw, sh, sw, ph, pw, dh, dw_, groups)
        y = torch.from_numpy(eng.conv2d(0, _np(x), _np(w), g, (n, oc, oh, ow)))
        if b is not None:
            y = y + b.detach().view(1, -1, 1, 1)
        ctx.save_for_backward(x, w)
        ctx.eng, ctx.g, ctx.has_b = eng, g, b is not None
        return y

    @staticmethod
    def backward(ctx, dy):
        x, w = ctx.saved_tensors
        eng, g = ctx.eng, ctx.g
        d = _np(dy)
        dx = torch.from_numpy(eng.conv2d(1, d, _np(w), g, tuple(x.shape))) if ctx.needs_input_grad[0] else None
        dw = torch.from_numpy(eng.conv2d(2, _np(x), d, g, tuple(w.shape))) if ctx.needs_input_grad[1] else None
        db = None
        if ctx.has_b and ctx.needs_input_grad[2]:
            db = torch.from_numpy(bias_grad(d, d.shape[1], d.shape[2] * d.shape[3]))
        return dx, dw, db, None, None


class ApproxLinear(nn.Linear):
    """nn.Linear through axsim's MAC (engine: an axsim.Engine)."""

    def __init__(self, in_features, out_features, bias=True, engine=None):
        super().__init__(in_features, out_features, bias)
        self.engine = engine or Engine()

    def forward(self, x):
        lead = x.shape[:-1]
        y = _LinearFn.apply(x.reshape(-1, x.shape[-1]), self.weight, self.bias, self.engine)
        return y.reshape(*lead, y.shape[-1])

    def extra_repr(self):
        return super().extra_repr() + f", mac={self.engine.mac!r}, bwd_mac={self.engine.bwd_mac!r}"


class ApproxConv2d(nn.Conv2d):
    """nn.Conv2d (zero padding, any stride, dilation and groups) through axsim's MAC."""

    def __init__(self, *args, engine=None, **kw):
        super().__init__(*args, **kw)
        if self.padding_mode != "zeros":
            raise AxsimError(f"ApproxConv2d: padding_mode {self.padding_mode!r}; axsim pads with zeros")
        self.engine = engine or Engine()

    def _pads(self):
        if isinstance(self.padding, str):  # "valid" or "same"
            if self.padding == "valid":
                return (0, 0)
            tot = [d * (k - 1) for d, k in zip(self.dilation, self.kernel_size)]
            if any(t % 2 for t in tot):
                raise AxsimError("ApproxConv2d: padding='same' pads unevenly here; axsim pads symmetrically")
            return tuple(t // 2 for t in tot)
        return tuple(self.padding)

    def forward(self, x):
        geo = (tuple(self.stride), self._pads(), tuple(self.dilation), self.groups)
        return _Conv2dFn.apply(x, self.weight, self.bias, self.engine, geo)

    def extra_repr(self):
        return super().extra_repr() + f", mac={self.engine.mac!r}, bwd_mac={self.engine.bwd_mac!r}"


def convert(model, mac="mul=exact,in=fp32", bwd_mac="mul=exact,in=fp32", backend="auto", threads=0):
    """Swaps every nn.Linear and nn.Conv2d of model (in place; returned) for
    its axsim version on one engine: mac for the forward GEMMs, bwd_mac for
    both gradients ("same": mac). Parameters are moved, not copied."""
    eng = Engine(mac, bwd_mac, backend, threads)

    def swap(parent):
        for name, child in parent.named_children():
            if isinstance(child, (ApproxLinear, ApproxConv2d)):
                child.engine = eng
            elif isinstance(child, nn.Linear):
                new = ApproxLinear(child.in_features, child.out_features, child.bias is not None, engine=eng)
                new.weight, new.bias = child.weight, child.bias
                setattr(parent, name, new)
            elif isinstance(child, nn.Conv2d):
                new = ApproxConv2d(child.in_channels, child.out_channels, child.kernel_size, child.stride,
                                   child.padding, child.dilation, child.groups, child.bias is not None,
                                   child.padding_mode, engine=eng)
                new.weight, new.bias = child.weight, child.bias
                setattr(parent, name, new)
            else:
                swap(child)

    if isinstance(model, (nn.Linear, nn.Conv2d)):
        raise AxsimError("convert: give a model that holds the layer (an nn.Module around it)")
    swap(model)
    return model


class _XentFn(torch.autograd.Function):
    @staticmethod
    def forward(ctx, logits, labels):
        loss, d = softmax_cross_entropy(_np(logits), labels.detach().cpu().numpy())
        ctx.d = torch.from_numpy(d)
        return torch.tensor(loss, dtype=torch.float64)

    @staticmethod
    def backward(ctx, g):
        return ctx.d * g.to(torch.float32) if g.item() != 1.0 else ctx.d, None


def cross_entropy(logits, labels):
    """axsim's softmax cross-entropy (mean over the batch, in double; a
    float64 scalar) whose backward gives axsim's dlogits: with it a training
    step has `axsim train`'s bits (torch's own cross_entropy sums in float32,
    in another order)."""
    return _XentFn.apply(logits, labels)
