"""workbench: a Brian2-based research workbench for spiking neural networks and neuromorphic computing."""
__version__ = "0.1.0"
