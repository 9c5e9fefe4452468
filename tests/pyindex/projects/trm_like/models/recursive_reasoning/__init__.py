"""Re-exports."""
from .etrm import TRMWithEncoder as ETRM
from .trm import *
