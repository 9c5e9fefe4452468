from pkg.cycle_a import *
from .cycle_a import Missing


class B:
    pass
