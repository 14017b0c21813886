"""The pictures in a value's view (``views``): a 1-D numeric series (thinned to its
extremes), a thumbnail of a 2-D/3-D array or a PIL image, a matplotlib figure's PNG; each a
dict of JSON data, empty when the value has no such part."""

from __future__ import annotations

import base64
import io
import math
from typing import Any

IMAGE_SIDE = 512
SERIES_POINTS = 4096


def is_pandas(value: Any, name: str) -> bool:
    kind = type(value)
    return kind.__module__.split(".")[0] == "pandas" and kind.__name__ == name


def series(value: Any) -> dict[str, Any]:
    numbers = numeric_1d(value)
    if numbers is None:
        return {}
    length = len(numbers)
    if length <= SERIES_POINTS:
        return {"series": {"y": floats(numbers), "length": length}}
    import numpy as np

    x: list[int] = []
    edges = np.linspace(0, length, SERIES_POINTS // 2 + 1).astype(int)
    for start, end in zip(edges[:-1].tolist(), edges[1:].tolist()):
        x.extend(sorted({start + point for point in _extremes(numbers[start:end])}))
    return {"series": {"x": x, "y": floats(numbers[x]), "length": length}}


def _extremes(stretch: Any) -> tuple[int, int]:
    """Where a stretch of numbers has its least and its greatest (NaN aside)."""
    import numpy as np

    try:
        return int(np.nanargmin(stretch)), int(np.nanargmax(stretch))
    except ValueError:  # nothing but NaN
        return 0, 0


def numeric_1d(value: Any) -> Any:
    """``value`` as a 1-D numpy array of numbers when it is 1-D numeric data, else ``None``."""
    import numpy as np

    if is_pandas(value, "Series"):
        value = value.to_numpy()
    if isinstance(value, np.ndarray):
        return value if value.ndim == 1 and value.dtype.kind in "iuf" else None
    if (
        isinstance(value, (list, tuple))
        and value
        and all(isinstance(item, (int, float)) and not isinstance(item, bool) for item in value)
    ):
        return np.asarray(value, dtype=float)
    return None


def floats(numbers: Any) -> list[float | None]:
    return [y if math.isfinite(y) else None for y in map(float, numbers.tolist())]


def image(value: Any) -> dict[str, Any]:
    import numpy as np

    if type(value).__module__.split(".")[0] == "PIL" and hasattr(value, "getbands"):
        value = np.asarray(value)
    if not isinstance(value, np.ndarray) or value.dtype.kind not in "biuf":
        return {}
    colours = value.ndim == 3 and value.shape[2] in (3, 4)
    if not (value.ndim == 2 or colours) or 0 in value.shape:
        return {}
    step = max(1, math.ceil(max(value.shape[:2]) / IMAGE_SIDE))
    small = value[::step, ::step]
    if colours:
        if small.dtype.kind == "f" and np.nanmax(small) <= 1.0:
            small = small * 255.0
        small = np.clip(np.nan_to_num(small), 0, 255).astype(np.uint8)
    else:
        small = small.astype(np.float32)
    data = np.ascontiguousarray(small)
    encoded = base64.b64encode(data.tobytes()).decode("ascii")
    return {"image": {"shape": list(data.shape), "dtype": str(data.dtype), "data": encoded}}


def figure(value: Any) -> dict[str, Any]:
    if type(value).__module__.split(".")[0] != "matplotlib":
        return {}
    figure = value if hasattr(value, "savefig") else getattr(value, "figure", None)
    if figure is None or not hasattr(figure, "savefig"):
        return {}
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=100)
    return {"figure": {"png": base64.b64encode(buffer.getvalue()).decode("ascii")}}
