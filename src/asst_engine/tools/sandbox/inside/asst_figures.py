"""A matplotlib backend for the sandbox: ``plt.show()`` turns every open figure into a PNG.

Selected with ``MPLBACKEND=module://asst_figures``. Like a notebook's inline backend it draws
with Agg, keeps the PNGs for the runner (``captured``) and closes the figures it drew, so the
model's code needs no ``savefig``. The runner calls ``show()`` again when a cell ends, for figures
left open.
"""

from __future__ import annotations

import io
from typing import Any

from matplotlib._pylab_helpers import Gcf
from matplotlib.backend_bases import FigureManagerBase
from matplotlib.backends.backend_agg import FigureCanvasAgg

FigureCanvas = FigureCanvasAgg
FigureManager = FigureManagerBase

captured: list[bytes] = []


def show(*args: Any, **kwargs: Any) -> None:
    """Render each open figure to PNG, in the order they were made, then close them."""
    from matplotlib import pyplot  # late: pyplot is importing this backend when it loads

    for manager in sorted(Gcf.get_all_fig_managers(), key=lambda manager: manager.num):
        buffer = io.BytesIO()
        manager.canvas.figure.savefig(buffer, format="png", bbox_inches="tight")
        captured.append(buffer.getvalue())
    pyplot.close("all")
