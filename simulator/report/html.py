"""The report as one self-contained HTML page: inline style sheet, charts as ``data:`` URIs, nothing fetched."""

from __future__ import annotations

import base64
import html

from .compose import Content

CSS = """
:root { --ink: #1a1a1a; --muted: #555; --rule: #d9d9d9; --accent: #0072B2; }
* { box-sizing: border-box; }
body { margin: 0; color: var(--ink); background: #fff;
       font: 16px/1.5 "DejaVu Sans", "Segoe UI", "Noto Sans", Arial, sans-serif; }
main { max-width: 64rem; margin: 0 auto; padding: 2rem 1.25rem 3rem; }
h1 { font-size: 1.75rem; line-height: 1.25; margin: 0 0 .5rem; }
h2 { font-size: 1.25rem; margin: 2.25rem 0 .75rem; padding-bottom: .25rem; border-bottom: 2px solid var(--accent); }
.desc { margin: 0 0 .5rem; }
.meta, .note, footer { color: var(--muted); font-size: .875rem; }
.lead { font-size: 1.125rem; font-weight: 600; background: #f2f7fb; border-left: 4px solid var(--accent);
        padding: .75rem 1rem; margin: 0 0 1rem; }
ul.findings li { margin: .35rem 0; }
table { border-collapse: collapse; width: 100%; font-size: .9375rem; }
th, td { text-align: left; vertical-align: top; padding: .35rem .6rem; border-bottom: 1px solid var(--rule); }
th { background: #f5f5f5; }
td.num { text-align: right; white-space: nowrap; font-variant-numeric: tabular-nums; }
table.params td:first-child { font-family: "DejaVu Sans Mono", Consolas, monospace; font-size: .85rem;
                              white-space: nowrap; }
figure { margin: 1.5rem 0; break-inside: avoid; page-break-inside: avoid; }
figure img { width: 100%; height: auto; border: 1px solid var(--rule); }
footer { margin-top: 3rem; border-top: 1px solid var(--rule); padding-top: .75rem; }
@media print { main { max-width: none; padding: 0; } h2 { break-after: avoid; } }
"""


def _indent_attr(label: str) -> str:
    """Labels indented with spaces in the summary table ("  of which …") keep their indent."""
    spaces = len(label) - len(label.lstrip(" "))
    return f' style="padding-left: {0.6 + 0.6 * spaces:.1f}rem"' if spaces else ""


def render_html(c: Content) -> str:
    """The report as one self-contained HTML page."""
    e = html.escape
    parts = [
        "<!DOCTYPE html>",
        '<html lang="en">',
        "<head>",
        '<meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        '<meta name="generator" content="fuelseal">',
        f"<title>{e(c.title)} — fuelseal report</title>",
        f"<style>{CSS}</style>",
        "</head>",
        "<body>",
        "<main>",
        "<header>",
        f"<h1>{e(c.title)}</h1>",
        f'<p class="desc">{e(c.description)}</p>' if c.description else "",
        f'<p class="meta">{e(c.run_line)}</p>',
        "</header>",
        '<section id="summary">',
        "<h2>In short</h2>",
        f'<p class="lead">{e(c.headline)}</p>',
        '<ul class="findings">' + "".join(f"<li>{e(f)}</li>" for f in c.findings) + "</ul>",
        "</section>",
        '<section id="figures">',
        "<h2>Key figures</h2>",
        "<table><thead><tr><th>Figure</th><th>Mean</th><th>90% interval</th></tr></thead><tbody>",
        *(f'<tr><td{_indent_attr(a)}>{e(a.strip())}</td><td class="num">{e(b)}</td><td class="num">{e(cc)}</td></tr>'
          for a, b, cc in c.figures),
        "</tbody></table>",
        '<p class="note">Mean across replications; the 90% interval runs from the 5th to the 95th percentile. '
        "The same figures are in <code>summary.csv</code> in the run folder.</p>",
        "</section>",
        '<section id="assumptions">',
        "<h2>Key assumptions</h2>",
        "<table><tbody>",
        *(f"<tr><th scope=\"row\">{e(a)}</th><td>{e(b)}</td></tr>" for a, b in c.assumptions),
        "</tbody></table>",
        "</section>",
    ]
    if c.charts:
        parts += ['<section id="charts">', "<h2>Charts</h2>"]
        for name, png in c.charts.items():
            data = base64.b64encode(png).decode("ascii")
            parts.append(f'<figure id="chart-{e(name)}"><img alt="{e(c.chart_text.get(name, name))}" '
                         f'src="data:image/png;base64,{data}"></figure>')
        parts.append("</section>")
    parts += [
        '<section id="parameters">',
        "<h2>Scenario parameters</h2>",
        f'<p class="note">{e(c.parameters_note)}</p>',
        '<table class="params"><thead><tr><th>Key</th><th>Value</th></tr></thead><tbody>',
        *(f"<tr><td>{e(k)}</td><td>{e(v)}</td></tr>" for k, v in c.parameters),
        "</tbody></table>",
        "</section>",
        f"<footer>{e(c.footer)}</footer>",
        "</main>",
        "</body>",
        "</html>",
    ]
    return "\n".join(p for p in parts if p) + "\n"
