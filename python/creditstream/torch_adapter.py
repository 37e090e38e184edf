"""A Batch as torch tensors on a chosen device, for PyTorch trainers. Needs torch (Debian's
python3-torch, or any other install); the rest of the client does not."""

from __future__ import annotations

from typing import Dict

from .batches import Batch

try:
    import torch
except ImportError as e:  # pragma: no cover - depends on the machine
    torch = None
    _IMPORT_ERROR = e


def to_tensors(batch: Batch, device="cpu", dtype=None) -> Dict[str, "torch.Tensor"]:
    """``advantages``, ``behavior_logprobs`` (NaN where none was sent), ``has_behavior_logprob``,
    ``policy_versions`` and ``step_indices`` of ``batch`` as tensors on ``device``; floats in
    ``dtype`` (default float32). The ids, observations and actions stay on the Batch."""
    if torch is None:
        raise ImportError(
            "creditstream.torch_adapter needs torch (apt-get install python3-torch)"
        ) from _IMPORT_ERROR
    dtype = torch.float32 if dtype is None else dtype
    return {
        "advantages": torch.as_tensor(batch.advantages, dtype=dtype, device=device),
        "behavior_logprobs": torch.as_tensor(batch.behavior_logprobs, dtype=dtype, device=device),
        "has_behavior_logprob": torch.as_tensor(batch.has_behavior_logprob, device=device),
        "policy_versions": torch.as_tensor(batch.policy_versions, device=device),
        "step_indices": torch.as_tensor(batch.step_indices, dtype=torch.int64, device=device),
    }


def device(name: str) -> "torch.device":
    """The torch device ``name`` ("cpu", "cuda", "cuda:1", …) once it is usable here; ValueError
    saying why and what to pass instead when CUDA is asked for and this torch cannot use it."""
    if torch is None:
        raise ImportError(
            "creditstream.torch_adapter needs torch (apt-get install python3-torch)"
        ) from _IMPORT_ERROR
    try:
        chosen = torch.device(name)
    except RuntimeError as e:
        raise ValueError(f"--device {name}: not a torch device; use cpu, cuda or cuda:N") from e
    if chosen.type == "cuda":
        if not torch.cuda.is_available():
            why = (
                "this torch was built without CUDA"
                if torch.version.cuda is None
                else f"no CUDA device is visible (torch built for CUDA {torch.version.cuda})"
            )
            raise ValueError(
                f"--device {name}: {why} (torch {torch.__version__}); use --device cpu, or a "
                "CUDA build of torch on a machine with an NVIDIA GPU"
            )
        if chosen.index is not None and chosen.index >= torch.cuda.device_count():
            raise ValueError(
                f"--device {name}: there are {torch.cuda.device_count()} CUDA devices "
                f"(cuda:0 to cuda:{torch.cuda.device_count() - 1})"
            )
    elif chosen.type != "cpu":
        raise ValueError(f"--device {name}: only cpu and cuda are supported")
    return chosen
