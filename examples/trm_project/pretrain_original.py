"""The first TRM training script, kept for reference.  Superseded by pretrain.py."""

import os

import hydra
from omegaconf import DictConfig, OmegaConf

from utils.functions import load_model_class


def create_model(config: DictConfig, world_size: int):
    model_cfg = dict(config.arch)
    model_cfg.pop("name")
    loss_cfg = dict(model_cfg.pop("loss"))
    model_cfg.update(batch_size=config.global_batch_size // world_size, causal=False)

    model_cls = load_model_class(config.arch.name)
    loss_head_cls = load_model_class(loss_cfg.pop("name"))
    return loss_head_cls(model_cls(model_cfg), **loss_cfg)


@hydra.main(config_path="config", config_name="cfg_pretrain_arc_agi_1", version_base=None)
def launch(hydra_config: DictConfig):
    world_size = int(os.environ.get("WORLD_SIZE", 1))
    print(OmegaConf.to_yaml(hydra_config))
    create_model(hydra_config, world_size)


if __name__ == "__main__":
    launch()
