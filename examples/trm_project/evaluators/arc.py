"""ARC evaluator: aggregates predictions over augmented test inputs (pass@k)."""

from typing import Any, Sequence


class ARC:
    def __init__(self, data_path: Sequence[str], eval_metadata: Any, submission_K: int = 2, pass_Ks: Sequence[int] = (1, 2, 5)):
        self.data_path = list(data_path)
        self.submission_K = submission_K
        self.pass_Ks = tuple(pass_Ks)

    def result(self) -> dict:
        return {f"pass@{k}": 0.0 for k in self.pass_Ks}
