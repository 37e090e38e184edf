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
