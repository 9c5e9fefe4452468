class ARC:
    def __init__(self, data_path: str, eval_metadata, submission_K: int = 2, *args, pass_Ks=(1, 2), **kwargs):
        pass
