"""trainlca: life-cycle impacts of training machine-learning models.

Production of accelerators and hosts plus the electricity of the run, on GWP, ADPe, PE and water,
with Monte Carlo uncertainty. See ``trainlca.api`` for the Python entry points.
"""

__version__ = "0.1.0"
#: Version of every JSON and CSV layout trainlca writes: 1.x only adds keys or columns.
SCHEMA_VERSION = "1.0"
