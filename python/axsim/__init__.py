"""axsim: approximate arithmetic from Python (docs/pytorch.md).

A thin ctypes layer over libaxsim (python/libaxsim/ax_capi.h): numpy float32
arrays in and out, MAC configurations and formats as axsim's strings. Every
GEMM is computed as axsim's network layers compute it -- operands quantized to
the MAC's input format, each product and sum through the configured units,
the result read back from the accumulator format -- so the bits are
`axsim train`'s.

    import numpy as np, axsim
    c = axsim.gemm(a, b, mac="mul=mbm,in=bf16,prod=fp32,add=exact,acc=fp32")
    q = axsim.quantize(x, "fp8e4m3")
    p = axsim.unit("mul_drum:k=4").apply(a, b, "bf16")

The library is found, in this order, at $AXSIM_LIB, next to this package
(pip install ./python copies it there when it was built), or in the build
tree of the checkout the package sits in (build/python/libaxsim.so).
axsim.torch holds the PyTorch layers.
"""
import ctypes
import os

import numpy as np

__all__ = ["Engine", "gemm", "quantize", "unit", "library_path", "AxsimError"]

_API_VERSION = 1


class AxsimError(RuntimeError):
    """A refusal of libaxsim: the message says what, where and why."""


def library_path():
    """Where libaxsim.so is loaded from (see the module's docstring)."""
    env = os.environ.get("AXSIM_LIB")
    if env:
        return env
    here = os.path.dirname(os.path.abspath(__file__))
    for p in (os.path.join(here, "libaxsim.so"),
              os.path.join(here, "..", "..", "build", "python", "libaxsim.so")):
        if os.path.exists(p):
            return os.path.normpath(p)
    raise AxsimError("libaxsim.so not found: build axsim (cmake --workflow --preset default), "
                     "set AXSIM_LIB to the library, or pip install ./python after building")


_lib = None


def _load():
    global _lib
    if _lib is not None:
        return _lib
    lib = ctypes.CDLL(library_path())
    c_p, i64, f_p = ctypes.c_void_p, ctypes.c_int64, ctypes.POINTER(ctypes.c_float)
    err = [ctypes.c_char_p, ctypes.c_size_t]
    lib.axc_version.restype = ctypes.c_int
    lib.axc_open.restype = c_p
    lib.axc_open.argtypes = [ctypes.c_char_p, ctypes.c_int] + err
    lib.axc_close.argtypes = [c_p]
    lib.axc_describe.restype = ctypes.c_char_p
    lib.axc_describe.argtypes = [c_p]
    lib.axc_set_mac.argtypes = [c_p, ctypes.c_int, ctypes.c_char_p] + err
    lib.axc_linear.argtypes = [c_p, ctypes.c_int, i64, i64, i64, f_p, f_p, f_p] + err
    lib.axc_conv2d.argtypes = [c_p, ctypes.c_int, ctypes.POINTER(i64), f_p, f_p, f_p] + err
    lib.axc_gemm.argtypes = [c_p, ctypes.c_int, i64, i64, i64, f_p, f_p, f_p] + err
    lib.axc_quantize.argtypes = [ctypes.c_char_p, f_p, f_p, i64] + err
    lib.axc_unit.argtypes = [ctypes.c_char_p, ctypes.c_char_p, f_p, f_p, f_p, i64] + err
    lib.axc_softmax_xent.restype = ctypes.c_double
    lib.axc_softmax_xent.argtypes = [f_p, ctypes.POINTER(ctypes.c_int32), i64, ctypes.c_int, f_p]
    lib.axc_bias_grad.argtypes = [f_p, i64, i64, i64, f_p]
    for f in ("axc_set_mac", "axc_linear", "axc_conv2d", "axc_gemm", "axc_quantize", "axc_unit"):
        getattr(lib, f).restype = ctypes.c_int
    if lib.axc_version() != _API_VERSION:
        raise AxsimError(f"{library_path()}: API version {lib.axc_version()}, this package needs {_API_VERSION}")
    _lib = lib
    return lib


def _f32(a):
    """a as a C-contiguous float32 numpy array (copied only when it must be)."""
    return np.ascontiguousarray(a, dtype=np.float32)


def _ptr(a):
    return a.ctypes.data_as(ctypes.POINTER(ctypes.c_float))


def _call(fn, *args):
    buf = ctypes.create_string_buffer(1024)
    if fn(*args, buf, ctypes.sizeof(buf)) != 0:
        raise AxsimError(buf.value.decode(errors="replace"))


class Engine:
    """A backend ("auto", "ref", "cpu", "cuda") with threads, and two MACs:
    mac for forward GEMMs, bwd_mac for both gradient GEMMs (default exact fp32)."""

    def __init__(self, mac="mul=exact,in=fp32", bwd_mac="mul=exact,in=fp32", backend="auto", threads=0):
        lib = _load()
        buf = ctypes.create_string_buffer(1024)
        self._c = lib.axc_open(backend.encode(), int(threads), buf, ctypes.sizeof(buf))
        if not self._c:
            raise AxsimError(buf.value.decode(errors="replace"))
        self.mac, self.bwd_mac = mac, bwd_mac
        _call(lib.axc_set_mac, self._c, 0, mac.encode())
        _call(lib.axc_set_mac, self._c, 1, (mac if bwd_mac == "same" else bwd_mac).encode())

    def __del__(self):
        if getattr(self, "_c", None) and _lib is not None:
            _lib.axc_close(self._c)
            self._c = None

    def describe(self):
        return _load().axc_describe(self._c).decode()

    def linear(self, op, a, b, n, n_in, n_out):
        """op 0: y = x w^T (a = x [n, in], b = w [out, in]); 1: dx = dy w (a = dy,
        b = w); 2: dw = dy^T x (a = x, b = dy). float32 in and out."""
        a, b = _f32(a), _f32(b)
        shape = {0: (n, n_out), 1: (n, n_in), 2: (n_out, n_in)}[op]
        y = np.empty(shape, dtype=np.float32)
        _call(_load().axc_linear, self._c, op, n, n_in, n_out, _ptr(a), _ptr(b), _ptr(y))
        return y

    def conv2d(self, op, a, b, geometry, out_shape):
        """geometry: (n, c, h, w, oc, kh, kw, sh, sw, ph, pw, dh, dw, groups);
        op as in linear (0: a = x, b = w; 1: a = dy, b = w; 2: a = x, b = dy)."""
        a, b = _f32(a), _f32(b)
        g = (ctypes.c_int64 * 14)(*[int(v) for v in geometry])
        y = np.empty(out_shape, dtype=np.float32)
        _call(_load().axc_conv2d, self._c, op, g, _ptr(a), _ptr(b), _ptr(y))
        return y

    def gemm(self, a, b, slot=0):
        a, b = _f32(a), _f32(b)
        if a.ndim != 2 or b.ndim != 2 or a.shape[1] != b.shape[0]:
            raise AxsimError(f"gemm: shapes {a.shape} and {b.shape} do not multiply")
        c = np.empty((a.shape[0], b.shape[1]), dtype=np.float32)
        _call(_load().axc_gemm, self._c, slot, a.shape[0], b.shape[1], a.shape[1], _ptr(a), _ptr(b), _ptr(c))
        return c


def gemm(a, b, mac="mul=exact,in=fp32", backend="auto", threads=0):
    """a @ b through the MAC (float32 in, the accumulator's values out)."""
    return Engine(mac, backend=backend, threads=threads).gemm(a, b)


def quantize(x, fmt):
    """x rounded to format fmt ("bf16", "fp8e4m3", "fp16:ftz", ...), as float32."""
    x = _f32(x)
    y = np.empty_like(x)
    _call(_load().axc_quantize, fmt.encode(), _ptr(x), _ptr(y), x.size)
    return y


class unit:
    """A unit of axsim (docs/units.md): unit("mul_mbm").apply(a, b, "bf16")."""

    def __init__(self, spec):
        self.spec = spec

    def apply(self, a, b, fmt):
        """Elementwise unit(a, b) in format fmt (operands rounded to it first)."""
        a, b = np.broadcast_arrays(_f32(a), _f32(b))
        a, b = _f32(a), _f32(b)
        y = np.empty(a.shape, dtype=np.float32)
        _call(_load().axc_unit, self.spec.encode(), fmt.encode(), _ptr(a), _ptr(b), _ptr(y), a.size)
        return y


def softmax_cross_entropy(logits, labels):
    """axsim's loss and its gradient (mean over the batch; in double, rounded
    once), as `axsim train` computes them: (loss, dlogits)."""
    logits = _f32(logits)
    labels = np.ascontiguousarray(labels, dtype=np.int32)
    n, k = logits.shape
    if labels.shape != (n,) or (n and (labels.min() < 0 or labels.max() >= k)):
        raise AxsimError(f"softmax_cross_entropy: {n} labels in 0..{k - 1} needed")
    d = np.empty_like(logits)
    loss = _load().axc_softmax_xent(_ptr(logits), labels.ctypes.data_as(ctypes.POINTER(ctypes.c_int32)), n, k,
                                    _ptr(d))
    return loss, d


def bias_grad(dy, channels, per_channel):
    """The gradient of a bias: dy [n, channels, per_channel] summed over n and
    the positions in double, in axsim's order, rounded once."""
    dy = _f32(dy)
    n = dy.size // max(1, channels * per_channel)
    out = np.empty(channels, dtype=np.float32)
    _load().axc_bias_grad(_ptr(dy), n, channels, per_channel, _ptr(out))
    return out
