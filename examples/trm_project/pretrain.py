"""Embedding-mode TRM training: one learned puzzle embedding per puzzle identifier.

Run with ``torchrun --nproc-per-node 4 pretrain.py`` (see jobs-trm-baseline.txt).
"""

import os
from typing import Any, List, Optional, Sequence

import hydra
import pydantic
import torch
import torch.distributed as dist
from omegaconf import DictConfig, OmegaConf

from utils.functions import load_model_class, get_model_source_path


class LossConfig(pydantic.BaseModel):
    model_config = pydantic.ConfigDict(extra="allow")

    name: str


class ArchConfig(pydantic.BaseModel):
    model_config = pydantic.ConfigDict(extra="allow")

    name: str
    loss: LossConfig


class EvaluatorConfig(pydantic.BaseModel):
    model_config = pydantic.ConfigDict(extra="allow")

    name: str


class PretrainConfig(pydantic.BaseModel):
    # Config
    arch: ArchConfig
    # Data
    data_paths: List[str]
    data_paths_test: List[str] = []
    # Evaluators
    evaluators: List[EvaluatorConfig] = []

    # Hyperparams
    global_batch_size: int
    epochs: int

    lr: float
    lr_min_ratio: float
    lr_warmup_steps: int

    weight_decay: float
    beta1: float
    beta2: float

    # Puzzle embedding
    puzzle_emb_lr: float
    puzzle_emb_weight_decay: float

    # Names
    project_name: Optional[str] = None
    run_name: Optional[str] = None
    checkpoint_path: Optional[str] = None

    # Extras
    seed: int = 0
    checkpoint_every_eval: bool = False
    eval_interval: Optional[int] = None
    min_eval_interval: Optional[int] = 0
    ema: bool = False
    ema_rate: float = 0.999


class DatasetMetadata(pydantic.BaseModel):
    vocab_size: int
    seq_len: int
    num_puzzle_identifiers: int
    total_groups: int
    mean_puzzle_examples: float


def create_model(config: PretrainConfig, train_metadata: DatasetMetadata, rank: int, world_size: int):
    model_cfg = dict(
        **config.arch.__pydantic_extra__,  # type: ignore
        batch_size=config.global_batch_size // world_size,
        vocab_size=train_metadata.vocab_size,
        seq_len=train_metadata.seq_len,
        num_puzzle_identifiers=train_metadata.num_puzzle_identifiers,
        causal=False,  # Non-autoregressive
    )

    # Instantiate model with loss head
    model_cls = load_model_class(config.arch.name)
    loss_head_cls = load_model_class(config.arch.loss.name)

    with torch.device("cuda"):
        model = model_cls(model_cfg)
        model = loss_head_cls(model, **config.arch.loss.__pydantic_extra__)  # type: ignore
    return model


def create_evaluators(config: PretrainConfig, eval_metadata: DatasetMetadata) -> List[Any]:
    evaluators = []
    for cfg in config.evaluators:
        cls = load_model_class(cfg.name, "evaluators.")(
            data_path=config.data_paths_test or config.data_paths,
            eval_metadata=eval_metadata,
            **cfg.__pydantic_extra__,  # type: ignore
        )
        evaluators.append(cls)
    return evaluators


def load_synced_config(hydra_config: DictConfig, rank: int, world_size: int) -> PretrainConfig:
    objects: Sequence[Optional[PretrainConfig]] = [None]
    if rank == 0:
        config = PretrainConfig(**hydra_config)  # type: ignore
        if config.run_name is None:
            config.run_name = f"{config.arch.name.split('@')[-1]} {os.getpid()}"
        objects = [config]

    if world_size > 1:
        dist.broadcast_object_list(objects, src=0)

    return objects[0]  # type: ignore


def train_batch(config: PretrainConfig, model: Any, batch: Any, carry: Any) -> Any:
    # Dynamic halting: one forward per batch, the carry persists across batches
    model.train()
    carry, loss, metrics, _, _ = model(carry=carry, batch=batch, return_keys=[])
    (loss / config.global_batch_size).backward()
    return carry


@hydra.main(config_path="config", config_name="cfg_pretrain_arc_agi_1", version_base=None)
def launch(hydra_config: DictConfig):
    RANK = int(os.environ.get("RANK", 0))
    WORLD_SIZE = int(os.environ.get("WORLD_SIZE", 1))
    if "LOCAL_RANK" in os.environ:
        dist.init_process_group(backend="nccl")

    config = load_synced_config(hydra_config, rank=RANK, world_size=WORLD_SIZE)
    print(OmegaConf.to_yaml(hydra_config))
    print("model source:", get_model_source_path(config.arch.name))
    torch.random.manual_seed(config.seed + RANK)


if __name__ == "__main__":
    launch()
