#!/usr/bin/env python3
# FILE: tools/svg-bars.py
# DESCRIPTION:
#   Draws a benchmark table as an SVG bar chart, with nothing but Python's
#   standard library: one horizontal bar per row, rows grouped by their
#   first column, each bar labelled with its value and an optional note
#   (a ratio, say).  The benchmarks' run.sh scripts write their numbers as
#   such a table next to the text table and call this.
#   Input (TSV, '#' lines ignored): GROUP <tab> SERIES <tab> VALUE [<tab> NOTE]
# USAGE:
#   tools/svg-bars.py --title TITLE --unit UNIT [--subtitle TEXT] IN.tsv OUT.svg
# License: MIT (see LICENSE)
import argparse
import html
import sys

COLORS = ["#4e79a7", "#f28e2b", "#59a14f", "#e15759", "#76b7b2", "#edc948",
          "#b07aa1", "#ff9da7"]


def read_rows(path):
    rows = []
    with open(path, encoding="utf-8") as f:
        for number, line in enumerate(f, 1):
            line = line.rstrip("\n")
            if not line.strip() or line.startswith("#"):
                continue
            cells = line.split("\t")
            if len(cells) < 3:
                sys.exit(f"{path}:{number}:1: error: expected GROUP<tab>SERIES<tab>VALUE[<tab>NOTE]")
            try:
                value = float(cells[2])
            except ValueError:
                sys.exit(f"{path}:{number}:1: error: value '{cells[2]}' is not a number")
            if value < 0:
                sys.exit(f"{path}:{number}:1: error: negative value {value}")
            rows.append((cells[0], cells[1], value, cells[3] if len(cells) > 3 else ""))
    if not rows:
        sys.exit(f"{path}: error: no rows")
    return rows


def fmt(v):
    return f"{v:.1f}" if v < 100 else f"{v:,.0f}"


def draw(rows, title, subtitle, unit):
    series = []
    for _, s, _, _ in rows:
        if s not in series:
            series.append(s)
    groups = []
    for g, _, _, _ in rows:
        if g not in groups:
            groups.append(g)
    top = max(v for _, _, v, _ in rows) or 1.0
    longest = max(len(s) for _, s, _, _ in rows)
    bar, gap, chart_w = 16, 10, 520
    label_w = max(120, 7 * longest + 20)  # about 7 px per character at 12 px
    y = 60
    out = []
    for g in groups:
        members = [r for r in rows if r[0] == g]
        out.append(f'<text x="10" y="{y + 12}" font-weight="bold">{html.escape(g)}</text>')
        y += 20
        for _, s, v, note in members:
            w = max(1.0, chart_w * v / top)
            color = COLORS[series.index(s) % len(COLORS)]
            out.append(f'<text x="{label_w - 6}" y="{y + 12}" text-anchor="end">{html.escape(s)}</text>')
            out.append(f'<rect x="{label_w}" y="{y}" width="{w:.1f}" height="{bar}" fill="{color}"/>')
            text = fmt(v) + (f"  {note}" if note else "")
            out.append(f'<text x="{label_w + w + 6:.1f}" y="{y + 12}">{html.escape(text)}</text>')
            y += bar + 4
        y += gap
    height = y + 30
    width = label_w + chart_w + 200
    head = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
        f'font-family="sans-serif" font-size="12">',
        f'<rect width="{width}" height="{height}" fill="white"/>',
        f'<text x="10" y="22" font-size="16" font-weight="bold">{html.escape(title)}</text>',
        f'<text x="10" y="42" fill="#555">{html.escape(subtitle)}</text>',
        f'<text x="10" y="{height - 10}" fill="#555">{html.escape(unit)}; '
        f'bars to scale, longest = {fmt(top)}</text>',
    ]
    return "\n".join(head + out + ["</svg>", ""])


def main():
    p = argparse.ArgumentParser(description="Draw a benchmark table (TSV) as an SVG bar chart.")
    p.add_argument("--title", required=True)
    p.add_argument("--subtitle", default="")
    p.add_argument("--unit", required=True, help="what the values are, e.g. 'requests per second'")
    p.add_argument("input")
    p.add_argument("output")
    a = p.parse_args()
    svg = draw(read_rows(a.input), a.title, a.subtitle, a.unit)
    tmp = a.output + ".tmp"
    with open(tmp, "w", encoding="utf-8") as f:
        f.write(svg)
    import os
    os.replace(tmp, a.output)  # never a half-written chart
    print(f"svg-bars: wrote {a.output}")


if __name__ == "__main__":
    main()
