"""Encoder-mode ETRM training for ablations: the arch block comes from the arch config alone.

Same training path as pretrain_etrm.py, but its main config (cfg_pitfalls_etrm)
does not override any arch key, so ``arch=<option>`` on the command line
selects the arch config exactly as written.  jobs-pitfalls.txt uses it.
"""

import os

import hydra
from omegaconf import DictConfig, OmegaConf

from utils.functions import load_model_class


def create_model(config: DictConfig, world_size: int):
    arch = OmegaConf.to_container(config.arch, resolve=True)
    arch.pop("name")
    loss_cfg = arch.pop("loss")
    loss_cfg.pop("name")
    model_cfg = dict(**arch, batch_size=config.global_batch_size // world_size, causal=False)

    model_cls = load_model_class(config.arch.name)
    loss_head_cls = load_model_class(config.arch.loss.name)
    return loss_head_cls(model_cls(model_cfg), **loss_cfg)


@hydra.main(config_path="config", config_name="cfg_pitfalls_etrm", version_base=None)
def launch(hydra_config: DictConfig):
    world_size = int(os.environ.get("WORLD_SIZE", 1))
    print(OmegaConf.to_yaml(hydra_config))
    create_model(hydra_config, world_size)


if __name__ == "__main__":
    launch()
