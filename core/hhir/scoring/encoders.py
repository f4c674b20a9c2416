"""The encoder set: the three encoders whose features are computed, cached and trained on."""

from __future__ import annotations

import functools
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from hhir.scoring.active import active_bundle

if TYPE_CHECKING:
    from hhir.models.bundle import ModelBundle
    from hhir.store import Store


@dataclass
class EncoderSet:
    """The three encoders features are computed with, and how frames are sampled for the video one."""

    video: Any
    text: Any
    audio: Any
    n_frames: int
    frame_size: int
    source: str  # "profile:<name>" or "bundle:<id>"

    def ids(self) -> dict[str, str]:
        """Modality -> encoder id, the feature cache's keys."""
        return {"video": self.video.id, "text": self.text.id, "audio": self.audio.id}


def encoders_for(store: Store, profile: str = "offline", model_bundle: str | None = None) -> EncoderSet:
    """The active bundle's encoders when a trained or imported model is in use (or ``model_bundle``
    is given), else the profile's."""
    bundle = active_bundle(store, model_bundle)
    if bundle is not None:
        return bundle_encoders(bundle)
    return profile_encoders(profile)


@functools.lru_cache(maxsize=2)
def profile_encoders(profile_name: str) -> EncoderSet:
    """The profile's encoders, once per process; each is loaded when features must be computed
    (a cached re-analysis loads none)."""
    from hhir.models.encoders import lazy_encoder as load_encoder
    from hhir.models.profiles import get_profile

    profile = get_profile(profile_name)
    return EncoderSet(
        video=load_encoder(profile.video), text=load_encoder(profile.text), audio=load_encoder(profile.audio),
        n_frames=profile.n_frames, frame_size=profile.frame_size, source=f"profile:{profile.name}",
    )


def bundle_encoders(bundle: ModelBundle) -> EncoderSet:
    """The exact encoders a bundle was trained with (its own ViViT weights included), loaded on first use."""
    from hhir.models.encoders import lazy_encoder as load_encoder

    specs = bundle.encoder_specs()
    return EncoderSet(
        video=load_encoder(specs["video"]), text=load_encoder(specs["text"]), audio=load_encoder(specs["audio"]),
        n_frames=specs["video"].n_frames, frame_size=specs["video"].frame_size, source=f"bundle:{bundle.id}",
    )
