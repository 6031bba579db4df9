"""An independent PyTorch port of the mpcl models (docs/MODEL.md, "Architecture (reconstruction, revision 2)").

It loads an mpcl ``.safetensors`` checkpoint unchanged — every tensor in the file, parameters and the
``normalization.*`` / ``labels.*`` statistics alike, is an entry of the module's state dict under the
same name — and reproduces the Swift ``Predictor`` to 1e-5 (see ``parity.py``). It exists to prove the
Swift forward pass against a second implementation and to be the "same model in PyTorch" that the
benchmarks of docs/PERFORMANCE.md compare with. It is never a dependency of the product or of its tests.

    model = load_checkpoint("model.safetensors")
    distributions = model.predict(raw_features)        # np.ndarray [B, F] -> [B, C], float32

Semantics follow the Swift implementation (Sources/MPCL) where docs/MODEL.md leaves a choice open: token
orders, the peripheral reshape, where the diagonal mask goes, e^t · (·)/√d + b·S, exp(log_softmax(·))
as the output, inverted dropout only where docs/MODEL.md names it.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
from safetensors.torch import load_file, safe_open

STD_FLOOR = 1e-6  # FeatureNormalization.stdFloor
LN_EPS = 1e-5


# --------------------------------------------------------------------------------------------------
# Configuration (the checkpoint's `config` metadata, ModelConfig.swift)


@dataclass
class Layout:
    eeg_channels: int
    eeg_bands: int
    groups: list[tuple[str, int]]
    face_planes: int
    face_bins: int

    @property
    def eeg_dims(self) -> int:
        return self.eeg_channels * self.eeg_bands

    @property
    def peripheral_dims(self) -> int:
        return sum(dims for _, dims in self.groups)

    @property
    def face_dims(self) -> int:
        return self.face_planes * self.face_bins

    @property
    def phys_dims(self) -> int:
        return self.eeg_dims + self.peripheral_dims

    @property
    def feature_count(self) -> int:
        return self.phys_dims + self.face_dims


@dataclass
class Config:
    architecture: str
    labels: list[str]
    valence: list[int]
    layout: Layout
    width: int = 64
    prototypes_per_emotion: int = 4
    slots: int = 16
    tokens_per_group: int = 4
    dropout: float = 0.2
    prototype_temperature: float = 0.1
    memory_scales: list[float] = field(default_factory=lambda: [0.25, 1.0, 4.0])
    msam: bool = True
    prototypes: bool = True
    cooccurrence: bool = True
    compression: bool = True
    mlp_hidden: int = 256
    mlp_dropout: float = 0.1
    per_subject_normalization: bool = False

    @staticmethod
    def from_json(text: str) -> "Config":
        raw = json.loads(text)
        lay = raw["layout"]
        layout = Layout(
            eeg_channels=int(lay["eeg"]["channels"]),
            eeg_bands=int(lay["eeg"]["bands"]),
            groups=[(g["name"], int(g["dims"])) for g in lay["peripheral"]],
            face_planes=int(lay["face"]["planes"]),
            face_bins=int(lay["face"]["bins"]),
        )
        modules = raw.get("modules", {})
        return Config(
            architecture=raw["architecture"],
            labels=list(raw["labels"]),
            valence=[int(v) for v in raw["valence"]],
            layout=layout,
            width=int(raw["width"]),
            prototypes_per_emotion=int(raw["prototypes_per_emotion"]),
            slots=int(raw["slots"]),
            tokens_per_group=int(raw["tokens_per_group"]),
            dropout=float(raw["dropout"]),
            prototype_temperature=float(raw["prototype_temperature"]),
            memory_scales=[float(s) for s in raw["memory_scales"]],
            msam=bool(modules.get("msam", True)),
            prototypes=bool(modules.get("prototypes", True)),
            cooccurrence=bool(modules.get("cooccurrence", True)),
            compression=bool(modules.get("compression", True)),
            mlp_hidden=int(raw["mlp_hidden"]),
            mlp_dropout=float(raw["mlp_dropout"]),
            per_subject_normalization=bool(raw["per_subject_normalization"]),
        )

    @property
    def classes(self) -> int:
        return len(self.labels)


# --------------------------------------------------------------------------------------------------
# Building blocks whose state-dict keys are the checkpoint's tensor names


class Statistics(nn.Module):
    """Non-trainable tensors stored in the checkpoint, as buffers (`normalization.*`, `labels.*`)."""

    def __init__(self, **shapes: tuple[int, ...]):
        super().__init__()
        for name, shape in shapes.items():
            self.register_buffer(name, torch.zeros(shape))


class EmbeddedLinear(nn.Linear):
    """nn.Linear plus a learned additive embedding broadcast over its output tokens."""

    def __init__(self, fan_in: int, fan_out: int, embedding_name: str, embedding_shape: tuple[int, ...]):
        super().__init__(fan_in, fan_out)
        self.embedding_name = embedding_name
        self.register_parameter(embedding_name, nn.Parameter(torch.zeros(embedding_shape)))

    @property
    def added_embedding(self) -> torch.Tensor:
        return getattr(self, self.embedding_name)


class Tokenizers(nn.Module):
    """Step 1: T_e [B, channels, d], T_p [B, groups·n_p, d], T_f [B, planes, d], g_phys, g_beh [B, 1, d]."""

    def __init__(self, cfg: Config):
        super().__init__()
        lay, d = cfg.layout, cfg.width
        self.layout, self.d, self.n_p = lay, d, cfg.tokens_per_group
        self.eeg = EmbeddedLinear(lay.eeg_bands, d, "channel_embedding", (lay.eeg_channels, d))
        self.peripheral = nn.ModuleDict(
            {name: EmbeddedLinear(dims, cfg.tokens_per_group * d, "embedding", (d,)) for name, dims in lay.groups}
        )
        self.face = EmbeddedLinear(lay.face_bins, d, "plane_embedding", (lay.face_planes, d))
        self.global_phys = nn.Linear(lay.phys_dims, d)
        self.global_beh = nn.Linear(lay.face_dims, d)

    def forward(self, x: torch.Tensor):
        lay, d, batch = self.layout, self.d, x.shape[0]
        eeg = x[:, : lay.eeg_dims].reshape(batch, lay.eeg_channels, lay.eeg_bands)
        t_e = self.eeg(eeg) + self.eeg.added_embedding
        groups, start = [], lay.eeg_dims
        for name, dims in lay.groups:
            layer = self.peripheral[name]
            # Linear(group_dim → n_p·d), reshaped so token t is output columns [t·d, (t+1)·d).
            tokens = layer(x[:, start : start + dims]).reshape(batch, self.n_p, d)
            groups.append(tokens + layer.added_embedding)
            start += dims
        t_p = torch.cat(groups, dim=1)
        face_input = x[:, lay.phys_dims :]
        t_f = self.face(face_input.reshape(batch, lay.face_planes, lay.face_bins)) + self.face.added_embedding
        g_phys = self.global_phys(x[:, : lay.phys_dims]).unsqueeze(1)
        g_beh = self.global_beh(face_input).unsqueeze(1)
        return t_e, t_p, t_f, g_phys, g_beh


class SlotStore(nn.Module):
    """A learned slot store M [m, d] (the shared cross store `msam.cross.slots`)."""

    def __init__(self, slots: int, d: int):
        super().__init__()
        self.slots = nn.Parameter(torch.zeros(slots, d))


class MemoryBlock(nn.Module):
    """Step 2, one MSAM block: multi-scale modern Hopfield retrieval plus a post-LN feed-forward."""

    def __init__(self, cfg: Config, own_slots: bool):
        super().__init__()
        d = cfg.width
        if own_slots:
            self.slots = nn.Parameter(torch.zeros(cfg.slots, d))
        self.query = nn.Linear(d, d, bias=False)
        self.key = nn.Linear(d, d, bias=False)
        self.value = nn.Linear(d, d, bias=False)
        self.out = nn.Linear(len(cfg.memory_scales) * d, d)
        self.norm1 = nn.LayerNorm(d, eps=LN_EPS)
        self.ffn1 = nn.Linear(d, 2 * d)
        self.ffn2 = nn.Linear(2 * d, d)
        self.norm2 = nn.LayerNorm(d, eps=LN_EPS)
        self.drop = nn.Dropout(cfg.dropout)
        self.betas = [scale / math.sqrt(d) for scale in cfg.memory_scales]

    def slot_projections(self, slots: torch.Tensor):
        return self.key(slots), self.value(slots)

    def forward(self, states, context, slot_kv):
        batch = states.shape[0]
        slot_keys, slot_values = slot_kv
        queries = self.query(states)
        keys = torch.cat([self.key(context), slot_keys.expand(batch, -1, -1)], dim=1)
        values = torch.cat([self.value(context), slot_values.expand(batch, -1, -1)], dim=1)
        scores = queries @ keys.transpose(1, 2)
        retrieved = [F.softmax(scores * beta, dim=-1) @ values for beta in self.betas]
        fused = self.norm1(states + self.drop(self.out(torch.cat(retrieved, dim=-1))))
        hidden = self.drop(F.gelu(self.ffn1(fused)))
        return self.norm2(fused + self.drop(self.ffn2(hidden)))


class MSAM(nn.Module):
    """The four blocks: within-stream, then the two cross blocks in parallel on their outputs."""

    def __init__(self, cfg: Config):
        super().__init__()
        self.phys = MemoryBlock(cfg, own_slots=True)
        self.beh = MemoryBlock(cfg, own_slots=True)
        self.cross = SlotStore(cfg.slots, cfg.width)
        self.cross_phys = MemoryBlock(cfg, own_slots=False)
        self.cross_beh = MemoryBlock(cfg, own_slots=False)

    def slot_kv(self) -> dict[str, tuple[torch.Tensor, torch.Tensor]]:
        """Input-independent slot keys/values of each block (cached at inference)."""
        return {
            "phys": self.phys.slot_projections(self.phys.slots),
            "beh": self.beh.slot_projections(self.beh.slots),
            "cross_phys": self.cross_phys.slot_projections(self.cross.slots),
            "cross_beh": self.cross_beh.slot_projections(self.cross.slots),
        }

    def forward(self, t_e, t_p, t_f, g_phys, g_beh, kv):
        phys_states = torch.cat([t_e, g_phys], dim=1)
        beh_states = torch.cat([t_f, g_beh], dim=1)
        phys_context = torch.cat([phys_states, t_p], dim=1)
        h_phys = self.phys(phys_states, phys_context, kv["phys"])
        h_beh = self.beh(beh_states, beh_states, kv["beh"])
        cross_phys = self.cross_phys(h_phys, h_beh, kv["cross_phys"])
        cross_beh = self.cross_beh(h_beh, h_phys, kv["cross_beh"])
        return cross_phys.mean(dim=1), cross_beh.mean(dim=1)


class Prototypes(nn.Module):
    """Step 3: the banks P_phys, P_beh [C, K, d], used L2-normalised."""

    def __init__(self, cfg: Config):
        super().__init__()
        shape = (cfg.classes, cfg.prototypes_per_emotion, cfg.width)
        self.phys = nn.Parameter(torch.zeros(shape))
        self.beh = nn.Parameter(torch.zeros(shape))
        self.inverse_temperature = 1.0 / cfg.prototype_temperature

    def normalized(self) -> dict[str, torch.Tensor]:
        """P̂ per stream, [C·K, d] (cached at inference)."""
        return {s: F.normalize(getattr(self, s).reshape(-1, getattr(self, s).shape[-1]), dim=-1, eps=1e-12) for s in ("phys", "beh")}

    def stream(self, z: torch.Tensor, bank: torch.Tensor, classes: int):
        """readout R [B, C, d], ln ŷ_stream [B, C], ln q_stream [B, C·K]."""
        batch = z.shape[0]
        similarities = (F.normalize(z, dim=-1, eps=1e-12) @ bank.T) * self.inverse_temperature
        grouped = similarities.reshape(batch, classes, -1)
        readout = torch.einsum("bck,ckd->bcd", F.softmax(grouped, dim=-1), bank.reshape(classes, grouped.shape[-1], -1))
        log_prediction = F.log_softmax(torch.logsumexp(grouped, dim=-1), dim=-1)
        return readout, log_prediction, F.log_softmax(similarities, dim=-1)


class Queries(nn.Module):
    """Step 5: Q⁰ = LN(E + W_r [R_phys ‖ R_beh] + Drop(W_z [z_phys ‖ z_beh]))."""

    def __init__(self, cfg: Config):
        super().__init__()
        d = cfg.width
        self.label_embedding = nn.Parameter(torch.zeros(cfg.classes, d))
        if cfg.prototypes:
            self.readout = nn.Linear(2 * d, d)
        self.pooled = nn.Linear(2 * d, d)
        self.norm = nn.LayerNorm(d, eps=LN_EPS)
        self.drop = nn.Dropout(cfg.dropout)

    def forward(self, z_phys, z_beh, readouts=None):
        pooled = self.drop(self.pooled(torch.cat([z_phys, z_beh], dim=-1)))
        total = pooled.unsqueeze(1) + self.label_embedding
        if readouts is not None:
            total = total + self.readout(torch.cat(readouts, dim=-1))
        return self.norm(total)


class Retrieval(nn.Module):
    def __init__(self, d: int):
        super().__init__()
        self.query = nn.Linear(d, d, bias=False)
        self.key = nn.Linear(d, d, bias=False)
        self.value = nn.Linear(d, d, bias=False)


class Association(nn.Module):
    def __init__(self, d: int):
        super().__init__()
        self.left = nn.Linear(d, d, bias=False)
        self.right = nn.Linear(d, d, bias=False)


class Cooccurrence(nn.Module):
    """Step 6: retrieval over all 2·C·K prototypes, valence-biased association, propagation."""

    def __init__(self, cfg: Config):
        super().__init__()
        d, classes = cfg.width, cfg.classes
        self.with_prototypes = cfg.prototypes
        if cfg.prototypes:
            self.retrieval = Retrieval(d)
            self.retrieval_norm = nn.LayerNorm(d, eps=LN_EPS)
        self.association = Association(d)
        self.temperature = nn.Parameter(torch.zeros(1))
        self.valence_bias = nn.Parameter(torch.zeros(1))
        self.propagate = nn.Linear(d, d)
        self.norm = nn.LayerNorm(d, eps=LN_EPS)
        self.drop = nn.Dropout(cfg.dropout)
        self.inverse_root = 1.0 / math.sqrt(d)
        valence = torch.tensor(cfg.valence, dtype=torch.float32)
        same = valence[:, None] == valence[None, :]
        self.register_buffer("valence_pattern", torch.where(same, 1.0, -1.0), persistent=False)
        self.register_buffer("other_valence", (~same).float(), persistent=False)
        self.register_buffer("diagonal", torch.eye(classes, dtype=torch.bool), persistent=False)

    def prototype_kv(self, normalized: dict[str, torch.Tensor]):
        """Keys/values of [P̂_phys ; P̂_beh] (cached at inference)."""
        bank = torch.cat([normalized["phys"], normalized["beh"]], dim=0)
        return self.retrieval.key(bank), self.retrieval.value(bank)

    def forward(self, q0: torch.Tensor, prototype_kv=None):
        q1 = q0
        if self.with_prototypes:
            keys, values = prototype_kv
            scores = self.retrieval.query(q0) @ keys.T
            retrieved = F.softmax(scores * self.inverse_root, dim=-1) @ values
            q1 = self.retrieval_norm(q0 + self.drop(retrieved))
        affinity = (self.association.left(q1) @ self.association.right(q1).transpose(1, 2)) * self.inverse_root
        biased = affinity * torch.exp(self.temperature) + self.valence_bias * self.valence_pattern
        log_association = F.log_softmax(biased.masked_fill(self.diagonal, float("-inf")), dim=-1)
        association = torch.exp(log_association)
        q2 = self.norm(q1 + self.drop(self.propagate(association @ q1)))
        return q2, log_association, association


class Head(nn.Module):
    """Step 7: shared hierarchical compression to one logit per emotion, plus the label bias h."""

    def __init__(self, cfg: Config):
        super().__init__()
        d = cfg.width
        self.compression = cfg.compression
        if cfg.compression:
            self.compress1 = nn.Linear(d, d // 2)
            self.norm1 = nn.LayerNorm(d // 2, eps=LN_EPS)
            self.compress2 = nn.Linear(d // 2, d // 4)
            self.norm2 = nn.LayerNorm(d // 4, eps=LN_EPS)
            self.out = nn.Linear(d // 4, 1)
        else:
            self.out = nn.Linear(d, 1)
        self.label_bias = nn.Parameter(torch.zeros(cfg.classes))

    def forward(self, queries: torch.Tensor) -> torch.Tensor:
        x = queries
        if self.compression:
            x = self.norm1(F.gelu(self.compress1(x)))
            x = self.norm2(F.gelu(self.compress2(x)))
        return F.log_softmax(self.out(x).squeeze(-1) + self.label_bias, dim=-1)


# --------------------------------------------------------------------------------------------------
# Whole models


def kl_target(target: torch.Tensor, log_q: torch.Tensor) -> torch.Tensor:
    """Mean over rows of KL(y ‖ q), terms with y = 0 contributing 0 (KLDivergence.swift)."""
    rows = log_q.numel() // log_q.shape[-1]
    positive = target > 0
    safe_log_q = log_q.masked_fill(~positive, 0.0)
    terms = torch.where(positive, target * (torch.log(target.clamp_min(1e-38)) - safe_log_q), torch.zeros_like(target))
    return terms.sum() / rows


def kl_learned(log_p: torch.Tensor, log_q: torch.Tensor) -> torch.Tensor:
    """Mean over rows of KL(p ‖ q), both sides learned (gradients through both)."""
    rows = log_p.numel() // log_p.shape[-1]
    return (log_p.exp() * (log_p - log_q)).sum() / rows


class MPCLModel(nn.Module):
    """Base: the stored statistics, z-scoring, ``predict`` and the loss plumbing."""

    def __init__(self, cfg: Config):
        super().__init__()
        self.config = cfg
        features, classes = cfg.layout.feature_count, cfg.classes
        self.normalization = Statistics(mean=(features,), std=(features,))
        self.labels = Statistics(mean=(classes,), cooccurrence=(classes, classes))

    def standardize(self, raw: torch.Tensor) -> torch.Tensor:
        """(x − μ) · (1/σ), σ floored at 1e-6, as FeatureNormalization.apply."""
        inverse = 1.0 / self.normalization.std.clamp_min(STD_FLOOR)
        return (raw - self.normalization.mean) * inverse

    def forward(self, features: torch.Tensor, targets: torch.Tensor | None = None, cooccurrence_weight: float = 1.0):
        """ln ŷ [B, C] for z-scored features, and the training loss when targets are given."""
        raise NotImplementedError

    @torch.inference_mode()
    def predict(self, raw_features: np.ndarray) -> np.ndarray:
        """Distributions [B, C] for raw features [B, F], in the model's dtype (float32 unless ``.double()``)."""
        dtype = self.normalization.mean.dtype
        x = torch.from_numpy(np.ascontiguousarray(raw_features, dtype=np.float32)).to(dtype)
        log_distribution, _ = self(self.standardize(x))
        return torch.exp(log_distribution).numpy()


class MPCLNetwork(MPCLModel):
    def __init__(self, cfg: Config):
        super().__init__(cfg)
        self.tokenizer = Tokenizers(cfg)
        if cfg.msam:
            self.msam = MSAM(cfg)
        if cfg.prototypes:
            self.prototypes = Prototypes(cfg)
        self.queries = Queries(cfg)
        if cfg.cooccurrence:
            self.cooccurrence = Cooccurrence(cfg)
        self.head = Head(cfg)
        self._cache: dict | None = None

    # Input-independent tensors: recomputed (differentiably) in training, cached for inference.
    def shared_tensors(self) -> dict:
        cfg, shared = self.config, {}
        if cfg.msam:
            shared["slot_kv"] = self.msam.slot_kv()
        if cfg.prototypes:
            shared["prototypes"] = self.prototypes.normalized()
            if cfg.cooccurrence:
                shared["prototype_kv"] = self.cooccurrence.prototype_kv(shared["prototypes"])
        return shared

    def refresh_inference_cache(self) -> None:
        with torch.inference_mode():
            self._cache = self.shared_tensors()

    def train(self, mode: bool = True):
        self._cache = None
        return super().train(mode)

    def _apply(self, fn, *args, **kwargs):
        self._cache = None  # .double(), .to(): the cached keys/values are rebuilt on the next call
        return super()._apply(fn, *args, **kwargs)

    def forward(self, features, targets=None, cooccurrence_weight: float = 1.0):
        cfg = self.config
        use_cache = not self.training and not torch.is_grad_enabled()
        if use_cache and self._cache is None:
            self.refresh_inference_cache()
        shared = self._cache if use_cache else self.shared_tensors()
        t_e, t_p, t_f, g_phys, g_beh = self.tokenizer(features)
        if cfg.msam:
            z_phys, z_beh = self.msam(t_e, t_p, t_f, g_phys, g_beh, shared["slot_kv"])
        else:
            z_phys = torch.cat([t_e, g_phys, t_p], dim=1).mean(dim=1)
            z_beh = torch.cat([t_f, g_beh], dim=1).mean(dim=1)
        losses = []
        if cfg.prototypes:
            banks = shared["prototypes"]
            r_phys, pred_phys, assign_phys = self.prototypes.stream(z_phys, banks["phys"], cfg.classes)
            r_beh, pred_beh, assign_beh = self.prototypes.stream(z_beh, banks["beh"], cfg.classes)
            queries = self.queries(z_phys, z_beh, (r_phys, r_beh))
            if targets is not None:
                losses.append(0.5 * kl_target(targets, pred_phys))
                losses.append(0.5 * kl_target(targets, pred_beh))
                distillation = 0.5 * (kl_learned(assign_beh, assign_phys) + kl_learned(assign_phys, assign_beh))
                losses.append(distillation)
        else:
            queries = self.queries(z_phys, z_beh)
        head_input = queries
        if cfg.cooccurrence:
            head_input, log_association, association = self.cooccurrence(queries, shared.get("prototype_kv"))
            if targets is not None:
                target = self.labels.cooccurrence.expand_as(log_association)
                l_co = kl_target(target, log_association)
                rows = association.numel() // association.shape[-1]
                l_val = (association * self.cooccurrence.other_valence).sum() / rows
                losses.append(0.1 * cooccurrence_weight * l_co)
                losses.append(0.1 * cooccurrence_weight * l_val)
        log_distribution = self.head(head_input)
        if targets is None:
            return log_distribution, None
        return log_distribution, kl_target(targets, log_distribution) + sum(losses)


class MLP(MPCLModel):
    def __init__(self, cfg: Config):
        super().__init__(cfg)
        features, hidden = cfg.layout.feature_count, cfg.mlp_hidden
        self.mlp = nn.ModuleDict(
            {"fc1": nn.Linear(features, hidden), "fc2": nn.Linear(hidden, hidden), "fc3": nn.Linear(hidden, cfg.classes)}
        )
        self.drop = nn.Dropout(cfg.mlp_dropout)

    def forward(self, features, targets=None, cooccurrence_weight: float = 1.0):
        h = self.drop(F.gelu(self.mlp["fc1"](features)))
        h = self.drop(F.gelu(self.mlp["fc2"](h)))
        log_distribution = F.log_softmax(self.mlp["fc3"](h), dim=-1)
        return log_distribution, None if targets is None else kl_target(targets, log_distribution)


class Linear(MPCLModel):
    def __init__(self, cfg: Config):
        super().__init__(cfg)
        self.linear = nn.Linear(cfg.layout.feature_count, cfg.classes)

    def forward(self, features, targets=None, cooccurrence_weight: float = 1.0):
        log_distribution = F.log_softmax(self.linear(features), dim=-1)
        return log_distribution, None if targets is None else kl_target(targets, log_distribution)


class Mean(MPCLModel):
    """The training-set mean distribution p̄, whatever the input (no loss: nothing to train)."""

    def forward(self, features, targets=None, cooccurrence_weight: float = 1.0):
        # ln max(p̄, 1e-12) in double, then float, as Baselines.swift.
        log_mean = torch.log(self.labels.mean.double().clamp_min(1e-12)).float().to(features.dtype)
        logits = log_mean.expand(features.shape[0], -1)
        return F.log_softmax(logits, dim=-1), None


ARCHITECTURES = {"mpcl": MPCLNetwork, "mlp": MLP, "linear": Linear, "mean": Mean}


def build(cfg: Config) -> MPCLModel:
    if cfg.architecture not in ARCHITECTURES:
        raise ValueError(f"unknown architecture {cfg.architecture!r}")
    return ARCHITECTURES[cfg.architecture](cfg)


def load_checkpoint(path: str) -> MPCLModel:
    """The model of an mpcl checkpoint, in eval mode, float32; every tensor of the file is used."""
    with safe_open(path, framework="pt") as handle:
        metadata = handle.metadata() or {}
    if metadata.get("format") != "mpcl-checkpoint":
        raise ValueError(f"{path}: not an mpcl checkpoint (format={metadata.get('format')!r})")
    if metadata.get("format_version") != "1":
        raise ValueError(f"{path}: format_version {metadata.get('format_version')!r}, this port reads 1")
    model = build(Config.from_json(metadata["config"]))
    tensors = load_file(path)
    model.load_state_dict({name: t.float() for name, t in tensors.items()}, strict=True)
    model.eval()
    if isinstance(model, MPCLNetwork):
        model.refresh_inference_cache()
    return model


# --------------------------------------------------------------------------------------------------
# Training (benchmark use: docs/MODEL.md "Loss" and "Training")


def make_optimizer(model: nn.Module, lr: float = 1e-3):
    """Adam with L2 1e-5 added to the gradient (torch's `weight_decay`, not AdamW), lr × 0.99/epoch."""
    optimizer = torch.optim.Adam(model.parameters(), lr=lr, betas=(0.9, 0.999), eps=1e-8, weight_decay=1e-5)
    return optimizer, torch.optim.lr_scheduler.ExponentialLR(optimizer, gamma=0.99)


def mixup(features, targets, generator, alpha: float = 0.4):
    """Each window mixed with a random partner from its batch, λ ~ Beta(α, α), features and labels."""
    batch = features.shape[0]
    lam = torch.distributions.Beta(alpha, alpha).sample((batch, 1))
    partner = torch.randint(0, batch, (batch,), generator=generator)
    return lam * features + (1 - lam) * features[partner], lam * targets + (1 - lam) * targets[partner]


def train_step(model, optimizer, features, targets, cooccurrence_weight: float = 1.0) -> float:
    """One optimiser step on z-scored features (noise and mixup are the caller's)."""
    model.train()
    optimizer.zero_grad(set_to_none=True)
    _, loss = model(features, targets, cooccurrence_weight)
    if loss is None:
        return 0.0
    loss.backward()
    optimizer.step()
    return float(loss.detach())


def train(model, features: np.ndarray, targets: np.ndarray, epochs: int = 16, batch_size: int = 128, seed: int = 3407,
          noise: float = 0.3, use_mixup: bool = True, log=print):
    """A plain training loop for timing: z-scored with the model's statistics, Gaussian noise σ 0.3,
    mixup, w ramping 0 → 1 over the first two epochs (per step). No validation or model selection."""
    torch.manual_seed(seed)
    generator = torch.Generator().manual_seed(seed)
    with torch.no_grad():
        x_all = model.standardize(torch.from_numpy(np.asarray(features, dtype=np.float32)))
    y_all = torch.from_numpy(np.asarray(targets, dtype=np.float32))
    optimizer, scheduler = make_optimizer(model)
    steps_per_epoch = math.ceil(len(x_all) / batch_size)
    step = 0
    for epoch in range(epochs):
        order = torch.randperm(len(x_all), generator=generator)
        total = 0.0
        for start in range(0, len(x_all), batch_size):
            index = order[start : start + batch_size]
            x, y = x_all[index], y_all[index]
            if noise > 0:
                x = x + noise * torch.randn(x.shape, generator=generator)
            if use_mixup:
                x, y = mixup(x, y, generator)
            weight = min(1.0, step / (2 * steps_per_epoch))
            total += train_step(model, optimizer, x, y, weight) * len(index)
            step += 1
        scheduler.step()
        log(f"epoch {epoch + 1}: train loss {total / len(x_all):.5f}")
    model.eval()
    return model
