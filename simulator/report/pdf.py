"""The report as an A4 PDF, laid out top to bottom and drawn with matplotlib alone (``PdfPages``)."""

from __future__ import annotations

import io
from collections.abc import Iterable
from pathlib import Path

import numpy as np

from .compose import Content

A4 = (8.27, 11.69)  # inches, portrait


class _Pages:
    """A small top-to-bottom text layout on A4 pages, drawn with matplotlib and written by PdfPages."""

    margin = 0.75  # inches
    font = 9.5  # points

    def __init__(self, pdf, footer: str):
        self.pdf, self.footer, self.fig, self.y, self.page = pdf, footer, None, 0.0, 0
        self._init_measure()

    @property
    def width(self) -> float:
        return A4[0] - 2 * self.margin

    def _init_measure(self) -> None:
        from matplotlib.backends.backend_agg import RendererAgg

        self._renderer = RendererAgg(10, 10, 72)  # 72 dpi: widths come out in points
        self._widths: dict[tuple[str, float, str], float] = {}

    def _width(self, text: str, size: float, weight: str) -> float:
        """Width in inches of ``text`` in the house font; words are measured once and cached."""
        key = (text, size, weight)
        if key not in self._widths:
            from matplotlib.font_manager import FontProperties

            from .. import charts

            fp = FontProperties(family=charts.STYLE["font.family"], size=size, weight=weight)
            self._widths[key] = self._renderer.get_text_width_height_descent(text, fp, ismath=False)[0] / 72
        return self._widths[key]

    def _wrap(self, text: str, size: float, width_in: float, weight: str = "normal") -> list[str]:
        """Greedy word wrap measured with the real font, so bold and narrow text both fill the line
        (word widths summed: kerning across a space is negligible at this size)."""
        space = self._width("a a", size, weight) - 2 * self._width("a", size, weight)
        lines: list[str] = []
        for para in str(text).split("\n"):
            line, used = "", 0.0
            for word in para.split():
                w = self._width(word, size, weight)
                if line and used + space + w > width_in:
                    lines.append(line)
                    line, used = word, w
                else:
                    line, used = (f"{line} {word}", used + space + w) if line else (word, w)
            lines.append(line)
        return lines or [""]

    def _new_page(self) -> None:
        self.flush()
        from matplotlib.figure import Figure

        from .. import charts

        with charts.house_style():
            self.fig = Figure(figsize=A4)
        self.page += 1
        self.fig.text(self.margin / A4[0], 0.4 / A4[1], self.footer, fontsize=7.5, color="#666666")
        self.fig.text(1 - self.margin / A4[0], 0.4 / A4[1], str(self.page), fontsize=7.5, color="#666666",
                      ha="right")
        self.y = self.margin

    def _room(self, inches: float) -> None:
        if self.fig is None or self.y + inches > A4[1] - self.margin - 0.2:
            self._new_page()

    def _text(self, x: float, text: str, size: float, **kw) -> None:
        self.fig.text((self.margin + x) / A4[0], 1 - self.y / A4[1], text, fontsize=size, va="top", **kw)

    def heading(self, text: str, size: float = 13) -> None:
        self._room(size / 72 * 4)
        self.y += size / 72 * 0.6
        self._text(0, text, size, fontweight="bold", color="#0b3d62")
        self.y += size / 72 * 1.7

    def paragraph(self, text: str, size: float | None = None, indent: float = 0.0, bullet: bool = False,
                  **kw) -> None:
        size = size or self.font
        lines = self._wrap(text, size, self.width - indent - (0.18 if bullet else 0), kw.get("fontweight", "normal"))
        step = size / 72 * 1.4
        for i, line in enumerate(lines):
            self._room(step)
            if bullet and i == 0:
                self._text(indent, "•", size)
            self._text(indent + (0.18 if bullet else 0), line, size, **kw)
            self.y += step
        self.y += step * 0.35

    def table(self, rows: list[tuple[str, ...]], widths: list[float], header: tuple[str, ...] | None = None,
              right: Iterable[int] = (), size: float = 8.5) -> None:
        right = set(right)
        step = size / 72 * 1.35
        total = sum(widths)
        cols = [w / total * self.width for w in widths]
        for r, row in enumerate(([header] if header else []) + rows):
            weight = "bold" if header is not None and r == 0 else "normal"
            cells = [self._wrap(str(v), size, w - 0.12, weight) for v, w in zip(row, cols, strict=True)]
            height = max(len(c) for c in cells) * step + 0.06
            self._room(height)
            x = 0.0
            bold = header is not None and r == 0
            for i, (lines, w, v) in enumerate(zip(cells, cols, row, strict=True)):
                indent = 0.09 * (len(str(v)) - len(str(v).lstrip(" ")))  # "  of which …" rows stay indented
                if i in right:
                    self._text(x + w - 0.05, "\n".join(lines), size, ha="right", linespacing=1.35,
                               fontweight="bold" if bold else "normal")
                else:
                    self._text(x + indent, "\n".join(lines), size, linespacing=1.35,
                               fontweight="bold" if bold else "normal")
                x += w
            self.y += height
            self.fig.add_artist(_rule(self.fig, self.margin, self.y - 0.03, self.width))

    def image(self, rgb: np.ndarray) -> None:
        """A chart (an RGB array), full text width, or narrower and centred if it is taller than a page."""
        aspect = rgb.shape[0] / rgb.shape[1]
        tallest = A4[1] - 2 * self.margin - 0.4
        w = min(self.width, tallest / aspect)
        h = w * aspect
        self._room(h + 0.1)
        left = self.margin + (self.width - w) / 2
        ax = self.fig.add_axes((left / A4[0], 1 - (self.y + h) / A4[1], w / A4[0], h / A4[1]))
        # "none": a vector backend embeds the picture as it is, at its own resolution, instead of resampling it
        ax.imshow(rgb, interpolation="none")
        ax.set_axis_off()
        self.y += h + 0.25

    def flush(self) -> None:
        if self.fig is not None:
            self.pdf.savefig(self.fig)
            self.fig = None


def _rule(fig, x: float, y: float, width: float):
    from matplotlib.lines import Line2D

    return Line2D([x / A4[0], (x + width) / A4[0]], [1 - y / A4[1]] * 2, transform=fig.transFigure,
                  color="#DDDDDD", lw=0.6)


def render_pdf(c: Content, path: Path) -> None:
    """The report as an A4 PDF: summary, figures and assumptions, then the charts two per page, then parameters."""
    import matplotlib.image as mpimg
    from matplotlib.backends.backend_pdf import PdfPages

    from .. import charts

    meta = {"Title": f"{c.title} — fuelseal report", "Author": "fuelseal", "Creator": "fuelseal",
            "CreationDate": None}
    with charts.house_style(), PdfPages(path, metadata=meta) as pdf:
        p = _Pages(pdf, c.footer)
        p._new_page()
        p.paragraph(c.title, size=17, fontweight="bold")
        if c.description:
            p.paragraph(c.description, size=10)
        p.paragraph(c.run_line, size=8, color="#555555")
        p.heading("In short")
        p.paragraph(c.headline, size=11, fontweight="bold")
        for f in c.findings:
            p.paragraph(f, bullet=True)
        p.heading("Key figures")
        p.table(c.figures, [3.4, 2.4, 4.5], header=("Figure", "Mean", "90% interval"), right=(1, 2))
        p.paragraph("Mean across replications; the 90% interval runs from the 5th to the 95th percentile "
                    "(the same figures as summary.csv in the run folder).", size=8, color="#555555")
        p.heading("Key assumptions")
        p.table(c.assumptions, [2.6, 7.4])
        if c.charts:
            p.heading("Charts")
            for png in c.charts.values():
                # RGB without the (opaque) alpha channel: PDF would store it as a second image
                p.image(mpimg.imread(io.BytesIO(png), format="png")[:, :, :3])
        p._new_page()
        p.heading("Scenario parameters")
        p.paragraph(c.parameters_note, size=8, color="#555555")
        p.table(c.parameters, [4.2, 5.8], header=("Key", "Value"), size=7.5)
        p.flush()
