"""The report's "Forecast against actuals" section, when the report is given an actuals file
(`ccs-sim report RUN_DIR --actuals FILE.csv`): the coverage of each series and pool, from the
same `sim.results.actuals.Tracking` that `ccs-sim track` prints, and a fan of each observed series
that the Results section does not already draw, with the observed values over it.
"""

from __future__ import annotations

from sim.report.chart_common import chart_title
from sim.report.evidence import WIDTH
from sim.report.html_parts import html_table, para, td
from sim.report.sections_results import Context
from sim.report.tracking import (
    COVERAGE_HEADERS,
    coverage_rows,
    drawn_with_monthly_charts,
    own_fan_chart,
    own_fans,
)

__all__ = ["section_actuals"]


def section_actuals(ctx: Context) -> str:
    found = ctx.actuals
    assert found is not None  # the section is written only when the report has actuals
    run = ctx.evidence.primary
    parts = [
        para(
            f"Observed monthly series from {found.file_name} (SHA-256 {found.sha256}), placed in "
            f"the fans of {run.path.name} ({run.replications} replications): for each series and "
            "pool, the share of observed months inside the forecast's P10-P90 and inside its "
            "P5-P95 for that month, and the months outside P10-P90, as `ccs-sim track` gives "
            "them. A well-calibrated forecast has about 80% and 90% of observations inside them."
        ),
        para(found.sentence()),
    ]
    if found.left_out:
        parts.append(para(found.left_out_sentence()))
    rows = [[td(cell) for cell in row] for row in coverage_rows(found)]
    parts.append(html_table(COVERAGE_HEADERS, rows, "actuals-coverage"))
    shown = sorted({s for s in found.observed["series"] if drawn_with_monthly_charts(s)})
    if shown:
        parts.append(
            para(
                f"Observed {', '.join(shown)} (CCS as a whole) are drawn over their fans in the "
                "Results section; the other series observed follow."
            )
        )
    for series in own_fans(found):
        chart = own_fan_chart(found, series, run.monthly, run.monthly_by_pool)
        title = chart_title(chart)
        caption = (
            f"{title}: median (line) and P10 to P90 (band) across replications; observed values "
            f"from {found.file_name} as dark diamonds"
        )
        parts.append(ctx.charts.figure(chart.properties(width=WIDTH), title, caption))
    return "".join(parts)
