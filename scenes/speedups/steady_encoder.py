"""The same frames encode to the same bytes: x264 leaves out its AVX-512 code where that code reads past its arrays.

Two renders of the same chapter at 854x480 (``-q l``) differed in the frames of one animation
(2 or 3 levels in up to a few hundred pixels), a different animation from run to run, though
every RGBA frame handed to the encoder was the same. The cause is in the libx264 that PyAV
bundles (core 165): its AVX-512 ``mbtree_propagate_list`` does 8 macroblocks a step and has
no tail, so on a frame whose width in macroblocks is not a multiple of 8 (854 px is 54) it
also takes the two entries past the end of each row. On the last row those lie past the end
of x264's arrays, in heap memory nobody wrote; when what is there passes its bounds checks,
it adds cost to a reference frame's MB-tree, which moves that frame's quantisers and so the
frames predicted from it. What the heap holds there depends on what the process freed
before, and so on the timing of the encoder threads and the main thread (it happened with
``max_inflight_encoders = 1`` too). The AVX2 version leaves its results in a buffer that a C
loop reads up to the row's end, and the C version stops there.

Measured on the dumped frames of one such animation: with freed and new heap memory filled
with a fixed byte (glibc's ``M_PERTURB``) x264's bytes were the same on every encode, and a
different byte gave different bytes; with every instruction set x264 detects but AVX-512
they were the same under any fill, and with AVX-512 at widths of 56, 72 and 80 macroblocks
repeated encodes were the same.

:func:`install` makes manim's ``VideoSegmentEncoder`` open x264 with ``asm`` set to the CPU
flags x264 itself detects (its exported ``x264_cpu_detect``), less AVX-512, when the frame's
width in macroblocks is not a multiple of 8. Other widths (1280, 1920 and 3840 px are 80, 120
and 240), other codecs, CPUs without AVX-512 and options that already set ``asm`` are left as
they were. No RGBA frame changes. Where AVX-512 read harmless memory, AVX2 writes the same
bytes: Ch03's frames at ``-q l`` were those of the most frequent version of every frame over
20 renders without this. Without AVX-512 x264 spends about 12 % more CPU at this size (Ch06's
1319 frames: 2.48 s instead of 2.20 s, best of 8), on the encoder threads beside the drawing;
Ch06 rendered in 21.3 s with this and 21.1 s without (mean of 6 alternating renders).
"""
from __future__ import annotations

import functools

from . import registry

ROW_STEP = 8  # macroblocks per step of x264's AVX-512 mbtree_propagate_list


@functools.cache
def x264_flags() -> tuple[int, int] | None:
    """``(the CPU flags x264 detects, the bits only AVX-512 adds)``, from the libx264 PyAV uses; None if not found."""
    import ctypes

    path = _libx264()
    if path is None:
        return None
    try:
        lib = ctypes.CDLL(path)
        lib.x264_cpu_detect.restype = ctypes.c_uint32

        class Name(ctypes.Structure):
            _fields_ = [("name", ctypes.c_char_p), ("flags", ctypes.c_uint32)]

        names = {}
        table = ctypes.cast(ctypes.addressof(ctypes.c_char.in_dll(lib, "x264_cpu_names")), ctypes.POINTER(Name))
        for k in range(64):
            if not table[k].name:
                break
            names[table[k].name.decode()] = table[k].flags
        detected = int(lib.x264_cpu_detect())
    except (OSError, AttributeError, ValueError):
        return None
    if "AVX512" not in names or "AVX2" not in names:
        return None
    return detected, names["AVX512"] & ~names["AVX2"]


def _libx264() -> str | None:
    """The path of the libx264 loaded in this process (PyAV's libavcodec links it), else the one PyAV ships."""
    import glob
    import os

    import av  # loads libavcodec, and with it libx264

    try:
        with open("/proc/self/maps") as maps:
            for line in maps:
                path = line.split(maxsplit=5)[-1].strip()
                if os.path.basename(path).startswith("libx264"):
                    return path
    except OSError:
        pass
    shipped = sorted(glob.glob(os.path.join(os.path.dirname(av.__file__), os.pardir, "av.libs", "libx264*")))
    return shipped[0] if shipped else None


def steady(spec):
    """``spec`` (a manim ``VideoEncoderSpec``) with x264's AVX-512 left out if its width needs it, else ``spec``."""
    import dataclasses

    if spec.codec != "libx264" or -(-spec.width // 16) % ROW_STEP == 0:
        return spec
    options = dict(spec.options)
    params = options.get("x264-params", "")
    if any(p.split("=", 1)[0].strip() == "asm" for p in params.split(":")):
        return spec  # the user chose the instruction sets
    flags = x264_flags()
    if flags is None or not flags[0] & flags[1]:
        return spec  # no AVX-512 here (or no x264 to ask): nothing reads past the rows
    options["x264-params"] = ":".join(p for p in (params, f"asm={flags[0] & ~flags[1]}") if p)
    return dataclasses.replace(spec, options=tuple(options.items()))


@registry.speedup
def install() -> None:
    """Patch manim's ``VideoSegmentEncoder.__init__`` to open x264 with :func:`steady`'s settings."""
    from manim.scene.video_segment_encoder import VideoSegmentEncoder

    def __init__(self, *, target, spec) -> None:
        original(self, target=target, spec=steady(spec))

    original = registry.replace(VideoSegmentEncoder, "__init__", __init__)
