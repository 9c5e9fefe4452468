class Fine:
    pass


def broken(:
    pass
