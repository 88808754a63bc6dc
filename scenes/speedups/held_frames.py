"""Held frames are converted to the video's pixel format once, not once per repeat.

When a scene holds still (every ``wait``, and the pause after each narrated beat), manim
hands its encoder one RGBA frame with ``repeat=n``. Manim 0.22 then builds a new RGBA
``VideoFrame`` for each of the n copies, and libavcodec converts every copy from RGBA to
yuv420p before x264 sees it. The conversion of a 1080p frame costs about as much as x264's
work on a frame that did not change, and more than half of this video's frames are held
frames (``bench/encode_floor.py`` counts them).

:func:`install` makes the encoder convert a held frame once and send that one converted
frame n times, each with its own timestamp. x264 receives the very same pixels, so the
packets are byte for byte the ones manim would have written (``tests/test_speedups.py``
checks this). The dataset chapter went from 80 to 86 s to 66 to 70 s at 1080p60.
"""
from __future__ import annotations

from fractions import Fraction

from . import registry


@registry.speedup
def install() -> None:
    """Patch manim's ``VideoSegmentEncoder.write_frame`` to convert a held frame once."""
    from manim.scene.video_segment_encoder import VideoSegmentEncoder

    def write_frame(self, pixels, *, repeat: int = 1) -> None:
        if repeat == 1:
            return original(self, pixels, repeat=1)
        import av

        self._validate_frame(pixels, repeat)
        time_base = Fraction(self.spec.frame_rate.denominator, self.spec.frame_rate.numerator)
        try:
            frame = av.VideoFrame.from_ndarray(pixels, format="rgba").reformat(format=self.spec.pixel_format)
            frame.time_base = time_base
            for _ in range(repeat):
                frame.pts = self._next_pts  # the encoder keeps its own reference to what it was sent
                self._next_pts += 1
                for packet in self._stream.encode(frame):
                    self._container.mux(packet)
        except BaseException as error:
            raise self._operation_error("encode", error) from error

    original = registry.replace(VideoSegmentEncoder, "write_frame", write_frame)
