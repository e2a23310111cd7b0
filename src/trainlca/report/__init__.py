"""Figures, the HTML report and paper-ready statements.

Submodules (imported on demand, so ``import trainlca.report`` costs nothing):

- :mod:`trainlca.report.figures`: matplotlib figures of the study and of one estimate (PNG, SVG,
  PDF); matplotlib is imported inside the functions only.
- :mod:`trainlca.report.html`: :func:`~trainlca.report.html.write_report`, one self-contained
  ``report.html``.
- :mod:`trainlca.report.study_files`: :func:`~trainlca.report.study_files.write_study`, every
  output of ``trainlca study`` (tables, figures rendered once on two cores, the report).
- :mod:`trainlca.report.statement`: :func:`~trainlca.report.statement.statement`, a paragraph for
  a paper's environmental-impact section (Markdown or LaTeX).
- :mod:`trainlca.report.files`: output checks shared by all of them (existing file, unwritable
  folder) raising :class:`~trainlca.report.files.OutputError`.
"""
