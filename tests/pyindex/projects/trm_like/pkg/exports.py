__all__ = ["Public"]
__all__ += ["helper"]


class Public:
    pass


class NotListed:
    pass


def helper(x, /, y, *, z=1):
    pass
