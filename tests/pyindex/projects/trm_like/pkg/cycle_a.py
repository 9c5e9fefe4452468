from pkg.cycle_b import *
from .cycle_b import Missing


class A:
    pass
