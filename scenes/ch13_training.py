"""Chapter 13: training. The real loss and accuracy curves, the per-epoch averages, the test score.

Everything comes from ``training.pkl``: the per-step history of the shipped model's
training run, its per-epoch averages, the test accuracy on every test review, the
training time and the parameter count.
"""
from __future__ import annotations

import math

import numpy as np
from manim import (DOWN, LEFT, ORIGIN, RIGHT, UP, Axes, Create, DashedLine, Dot, FadeIn, LaggedStart, Line,
                   RoundedRectangle, ValueTracker, VGroup, VMobject, linear)

from scenes.common import ChapterScene, Live, MonoReadout, color, fit, fmt, label, nice_step, sit_on_baseline

NARRATION = {  # lines with {fields}, and alternatives, are decided by model/claims/story.py
    "setup": "Training shows the model batches of labelled reviews and nudges every weight "
             "to make the right answer a little more likely.",
    "loss": "The loss says how wrong the model is on each batch. Guessing with a coin flip scores ln 2; "
            "training pushes the loss below that.",
    "loss_end_below": "The loss says how wrong the model is on each batch. Guessing with a coin flip scores ln 2; "
                      "this run starts below that and ends below it too.",
    "loss_above": "The loss says how wrong the model is on each batch. Guessing with a coin flip scores ln 2; "
                  "this run ends no lower than that.",
    "acc": "At the same time, the share of each batch it classifies correctly climbs.",
    "acc_flat": "At the same time, the share of each batch it classifies correctly stays near {acc_end}.",
    "acc_falls": "At the same time, the share of each batch it classifies correctly falls.",
    "epochs": "The flat segments are averages over whole passes through the training reviews, one per epoch.",
    "test": "The real test is reviews it never saw while training. On all {n_test} test reviews, this is its score.",
    "test_none": "The real test is reviews it never saw while training; this model has not been scored on them yet.",
    "cost": "And here is what it took: {n_params} weights, trained in {took}.",
    "cost_untimed": "And here is its size: {n_params} weights.",
}


def moving_average(x: np.ndarray, w: int) -> np.ndarray:
    """Mean of the last ``w`` values at each step from step ``w`` on (a trailing window)."""
    return np.convolve(np.asarray(x, dtype=float), np.ones(w) / w, mode="valid")


class Ch13Training(ChapterScene):
    NARRATION = NARRATION

    def construct(self):
        tr = self.asset("training")
        steps = np.asarray(tr["steps"], dtype=float)
        loss, acc = np.asarray(tr["step_loss"], dtype=float), np.asarray(tr["step_acc"], dtype=float)
        w = int(self.said.facts["window"])  # the smoothing window the narration's claims were tested on
        self.title_card()

        # --- beat: the setup -----------------------------------------------------------------------
        self.set_heading("Training on the IMDB train split")
        n_train, bs, epochs = int(tr["n_train"]), int(tr["batch_size"]), int(tr["epochs"])
        setup = VGroup(label(f"{n_train:,} training reviews", size=30),
                       label(f"{epochs} epochs, each one pass over all of them", size=30),
                       label(f"batches of {bs} reviews: {len(steps):,} steps in all", size=30))
        setup.arrange(DOWN, buff=0.3)
        self.beat("setup", LaggedStart(*[FadeIn(s, shift=UP * 0.2) for s in setup], lag_ratio=0.3), run_time=2)
        self.clear_stage()

        # --- beat: the loss curve, drawn step by step ----------------------------------------------
        self.set_heading(f"Per-step values; bright line: moving average of the last {w} steps")
        y_top = nice_step(max(loss), 4) * math.ceil(max(loss) / nice_step(max(loss), 4))
        self.plots = {}
        left = self.plot(steps, (0, y_top), "loss (cross-entropy)", "query")
        right = self.plot(steps, (0, 1), "train accuracy (per batch)", "value")
        left.move_to(LEFT * 3.5 + UP * 0.2)
        right.move_to(RIGHT * 3.5 + UP * 0.2)
        axes_l, axes_r = left[0], right[0]
        coin = DashedLine(axes_l.c2p(0, math.log(2)), axes_l.c2p(steps[-1], math.log(2)),
                          color=color("muted"), dash_length=0.08)
        coin_tag = label("coin flip: ln 2", size=20, role="muted").next_to(coin, UP, buff=0.06).align_to(coin, RIGHT)
        self.play(FadeIn(left), FadeIn(right), run_time=0.8)
        self.draw_curve(axes_l, steps, loss, w, "query", "loss", self.first("loss", "loss_end_below", "loss_above"),
                        FadeIn(coin), FadeIn(coin_tag))
        # --- beat: the accuracy curve --------------------------------------------------------------
        self.draw_curve(axes_r, steps, acc, w, "value", "acc", self.first("acc", "acc_flat", "acc_falls"))

        # --- beat: per-epoch averages as flat segments ---------------------------------------------
        per_epoch = len(steps) / epochs
        segs = VGroup()
        for axes, values, role in ((axes_l, tr["epoch_train_loss"], "query"), (axes_r, tr["epoch_train_acc"], "value")):
            for e, v in enumerate(np.asarray(values, dtype=float)):
                a, b = axes.c2p(e * per_epoch, v), axes.c2p((e + 1) * per_epoch, v)
                segs.add(Line(a, b, stroke_color=color("text"), stroke_width=5))
        self.segments = segs
        key = VGroup(Line(ORIGIN, RIGHT * 0.45, stroke_color=color("text"), stroke_width=5),
                     label("average of each epoch", size=20)).arrange(RIGHT, buff=0.15)
        key.move_to(axes_l.c2p(steps[-1], y_top * 0.85), aligned_edge=RIGHT)  # the empty top right of the loss plot
        self.beat("epochs", LaggedStart(*[Create(s) for s in segs], lag_ratio=0.15), FadeIn(key), run_time=2)
        self.clear_stage()

        # --- beat: the test accuracy ---------------------------------------------------------------
        self.set_heading("Results")
        table = self.epoch_table(tr).to_edge(LEFT, buff=0.8).shift(UP * 0.2)
        test = VGroup(label(f"{float(tr['test_accuracy']) * 100:.1f} %", size=64, role="accent"),
                      label(f"of all {int(tr['n_test']):,} test reviews", size=28),
                      label("classified correctly", size=28)).arrange(DOWN, buff=0.15)
        test.move_to(RIGHT * 3.3 + UP * 1.1)
        if self.says("test"):
            self.beat("test", FadeIn(table), FadeIn(test, shift=UP * 0.2), run_time=1.5)
        else:  # never scored: the table alone
            test = VGroup().move_to(RIGHT * 3.3 + UP * 1.1)
            self.beat("test_none", FadeIn(table), run_time=1.5)

        # --- beat: size and time -------------------------------------------------------------------
        secs = float(tr["train_seconds"])
        cost = VGroup(label(f"{int(tr['n_params']):,} parameters", size=30))
        if self.says("cost"):
            took = f"{secs:.0f} s" if secs < 120 else f"{int(secs // 60)} min {int(round(secs % 60)):02d} s"
            cost.add(label(f"trained in {took}", size=30))
        cost.arrange(DOWN, buff=0.2).next_to(test, DOWN, buff=0.7)
        self.beat(self.first("cost", "cost_untimed"), FadeIn(cost, shift=UP * 0.2), run_time=1.2)
        self.finish()

    # --- pieces ------------------------------------------------------------------------------------
    def first(self, *keys: str) -> str:
        """The one of these alternative lines that the data makes true."""
        return next(k for k in keys if self.says(k))

    @staticmethod
    def plot(steps, y_range, title, role) -> VGroup:
        """Axes with ticks, tick labels, an axis name and a title; the curves are drawn by :meth:`draw_curve`."""
        xs = nice_step(steps[-1], 4)
        ys = nice_step(y_range[1] - y_range[0], 4)
        axes = Axes(x_range=[0, steps[-1], xs], y_range=[y_range[0], y_range[1], ys], x_length=5.0, y_length=3.1,
                    tips=False, axis_config={"color": color("grid"), "stroke_width": 2, "include_ticks": True})
        # font_size here too: add_labels otherwise resizes every label to the axis default (36)
        axes.get_x_axis().add_labels({v: label(fmt(v, "tick", step=xs), size=20, role="muted")
                                      for v in np.arange(0, steps[-1] + 1e-9, xs)}, font_size=20)
        axes.get_y_axis().add_labels({v: label(fmt(v, "tick", step=ys), size=20, role="muted")
                                      for v in np.arange(y_range[0], y_range[1] + 1e-9, ys)}, font_size=20)
        x_lab = label("step", size=22, role="muted").next_to(axes.x_axis, DOWN, buff=0.15)
        head = label(title, size=24, role=role).next_to(axes, UP, buff=0.25)
        return VGroup(axes, x_lab, head)

    def draw_curve(self, axes, steps, values, w, role, name, key, *extra):
        """The smoothed curve ``name`` growing point by point with a dot and a live readout, and the raw line
        behind it, while line ``key`` is said."""
        sm = moving_average(values, w)
        xs = steps[w - 1:]
        pts = [axes.c2p(s, v) for s, v in zip(xs, sm)]
        raw_pts = [axes.c2p(s, v) for s, v in zip(steps, values)]
        k = ValueTracker(1)

        def upto():  # the raw line (faint) and the smoothed one (bright), both up to the tracker's step
            n = max(2, int(k.get_value()))
            return VGroup(
                VMobject(stroke_color=color(role), stroke_width=1.2, stroke_opacity=0.35).set_points_as_corners(
                    raw_pts[: n + w - 1]),
                VMobject(stroke_color=color(role), stroke_width=4).set_points_as_corners(pts[:n]))

        # Live and MonoReadout, not always_redraw: see scenes/common/live.py (this beat was the slowest in the video)
        curve = Live(upto)
        dot = Live(lambda: Dot(pts[max(1, int(k.get_value())) - 1], radius=0.07, color=color(role)))
        readout = MonoReadout("step 0123456789,.:-", size=22, role=role)

        def read(m):
            i = max(1, int(k.get_value())) - 1
            m.show(f"step {int(xs[i]):,}: {fmt(sm[i])}").next_to(axes, DOWN, buff=0.8)

        readout.add_updater(read)
        read(readout)
        self.add(curve, dot, readout)
        self.beat(key, k.animate(rate_func=linear).set_value(len(pts)), *extra, run_time=5)
        final = upto()
        last = label(f"last {w} steps: {fmt(sm[-1])}", size=22, mono=True, role=role)
        last.next_to(axes, DOWN, buff=0.8)
        self.remove(curve, dot, readout)
        self.add(final, last)
        self.plots[name] = (sm, final)

    @staticmethod
    def epoch_table(tr) -> VGroup:
        """epoch | train loss | train accuracy, one row per epoch (first three and last three when many)."""
        ep = list(np.asarray(tr["epoch"]).astype(int))
        rows_idx = list(range(len(ep))) if len(ep) <= 7 else [0, 1, 2, None, len(ep) - 3, len(ep) - 2, len(ep) - 1]
        head = ["epoch", "train loss", "train accuracy"]
        cells = [[label(h, size=22, role="muted") for h in head]]
        for i in rows_idx:
            if i is None:
                cells.append([label("⋮", size=22, role="muted") for _ in head])
                continue
            cells.append([label(str(ep[i]), size=24, mono=True),
                          label(fmt(tr["epoch_train_loss"][i], digits=3), size=24, mono=True, role="query"),
                          label(f"{float(tr['epoch_train_acc'][i]) * 100:.1f} %", size=24, mono=True, role="value")])
        xs = [0, 1.9, 4.1]
        table = VGroup()
        for r, row in enumerate(cells):
            for c, t in enumerate(row):
                t.move_to([xs[c], -0.5 * r, 0])
                sit_on_baseline(t, -0.5 * r - 0.1)  # one baseline per row, whatever the letters
                table.add(t)
        rule = Line([table.get_left()[0], -0.32, 0], [table.get_right()[0], -0.32, 0],  # under the header's descenders
                    stroke_color=color("grid"))
        frame = RoundedRectangle(corner_radius=0.15, width=table.width + 0.6, height=table.height + 0.5,
                                 stroke_color=color("grid")).move_to(table)
        title = label("per-epoch averages on the training batches", size=22, role="muted")
        title.next_to(frame, UP, buff=0.2)
        return fit(VGroup(frame, table, rule, title), 6.2)
