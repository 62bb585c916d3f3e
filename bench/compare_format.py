"""Medians and number formatting shared by bench/compare's tables (fixed scenarios and the
overload sweep), so that both print figures the same way."""

import statistics


def median(values):
    """The median of the values that are not None; None when there are none."""
    values = [v for v in values if v is not None]
    return statistics.median(values) if values else None


def fmt(value):
    if value is None:
        return "n/a"
    if abs(value) >= 100:
        return f"{value:,.0f}"
    return f"{value:.1f}" if value != int(value) else f"{int(value)}"


def fmt_ratio(value):
    return "n/a" if value is None else f"{value:.2f}x"
