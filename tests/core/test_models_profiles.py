"""Profiles: built-ins, profile files, and the paper models' code path on tiny local models."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
import torch

from hhir.errors import ModelError
from hhir.models.encoders import load_encoder
from hhir.models.lstm import MultimodalLSTM
from hhir.models.profiles import get_profile, profile_problems

WORDS = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", "where", "are", "you", "going", "?", "hello", "the", "a",
         "street", "quiet", "##s", "ask", "question"]


@pytest.fixture(scope="module")
def tiny_bert(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from transformers import BertConfig, BertModel, BertTokenizerFast

    folder = tmp_path_factory.mktemp("tiny-bert")
    vocab = folder / "vocab.txt"
    vocab.write_text("\n".join(WORDS) + "\n")
    BertTokenizerFast(vocab_file=str(vocab), do_lower_case=True).save_pretrained(folder)
    torch.manual_seed(0)
    config = BertConfig(hidden_size=32, num_hidden_layers=2, num_attention_heads=2, intermediate_size=64,
                        vocab_size=len(WORDS), max_position_embeddings=64)
    BertModel(config).save_pretrained(folder)
    return folder


@pytest.fixture(scope="module")
def tiny_ast(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from transformers import ASTConfig, ASTFeatureExtractor, ASTModel

    folder = tmp_path_factory.mktemp("tiny-ast")
    ASTFeatureExtractor(max_length=128).save_pretrained(folder)
    torch.manual_seed(0)
    config = ASTConfig(hidden_size=24, num_hidden_layers=2, num_attention_heads=2, intermediate_size=48,
                       max_length=128, num_mel_bins=128)
    ASTModel(config).save_pretrained(folder)
    return folder


def test_offline_profile_is_complete() -> None:
    p = get_profile()
    assert p.name == "offline" and p.n_frames == 64 and p.frame_size == 128
    assert (p.video.kind, p.text.kind, p.audio.kind) == ("vivit", "hf-text", "logmel")
    assert Path(p.text.model, "config.json").is_file() and Path(p.asr_model, "model.bin").is_file()
    assert profile_problems(p) == []


def test_paper_profile_names_the_paper_models_and_says_how_to_provide_them() -> None:
    p = get_profile("paper")
    assert p.n_frames == 256
    assert (p.text.model, p.audio.model, p.asr_model) == (
        "bert-base-uncased", "MIT/ast-finetuned-audioset-10-10-0.4593", "large-v3")
    problems = " | ".join(profile_problems(p))
    for name in ("bert-base-uncased", "MIT/ast-finetuned-audioset-10-10-0.4593", "large-v3"):
        assert name in problems
    assert "--local-dir" in problems
    with pytest.raises(ModelError, match=r"text model 'bert-base-uncased' is not available.*local-dir"):
        load_encoder(p.text)


def test_paper_code_path_on_tiny_local_models(tiny_bert: Path, tiny_ast: Path) -> None:
    p = get_profile("paper").with_models(text=str(tiny_bert), audio=str(tiny_ast))
    text, audio = load_encoder(p.text), load_encoder(p.audio)
    assert (text.dim, audio.dim) == (32, 24)  # from the models, not from the paper's 768
    t = text.encode(["Where are you going?", "", "hello the street"])
    rng = np.random.default_rng(0)
    a = audio.encode([rng.normal(0, 0.1, 16000).astype(np.float32), np.zeros(0, np.float32)])
    assert t.shape == (3, 32) and a.shape == (2, 24) and np.all(np.isfinite(a))
    np.testing.assert_allclose(text.encode(["Where are you going?"])[0], t[0], atol=1e-5)  # padding-independent
    net = MultimodalLSTM(video_dim=16, text_dim=text.dim, audio_dim=audio.dim, hidden_dim=8, num_heads=2).eval()
    logits = net(torch.randn(1, 2, 16), torch.from_numpy(t[:2])[None], torch.from_numpy(a)[None])
    assert logits.shape == (1, 7)


def test_profile_file_overrides_with_relative_folders(tmp_path: Path, tiny_bert: Path) -> None:
    (tmp_path / "bert").symlink_to(tiny_bert)
    path = tmp_path / "lab.json"
    path.write_text(json.dumps({"name": "lab", "base": "paper", "video": {"n_frames": 32},
                                "text": {"model": "./bert"}, "asr_model": "/models/whisper"}))
    p = get_profile(path)
    assert (p.name, p.n_frames, p.asr_model) == ("lab", 32, "/models/whisper")
    assert Path(p.text.model) == (tmp_path / "bert").resolve()
    assert p.audio.model == "MIT/ast-finetuned-audioset-10-10-0.4593"
    assert load_encoder(p.text).dim == 32


@pytest.mark.parametrize(("content", "message"), [
    ("{not json", "not a valid JSON profile"),
    ('{"base": "fancy"}', "field 'base' must be 'offline' or 'paper'"),
    ('{"text": {"kind": "logmel"}}', "field 'text' names a audio encoder"),
    ('{"video": {"n_frames": 3}}', "video: encoder vivit: n_frames must be an even number"),
    ('{"gpu": true}', r"unknown field\(s\) gpu"),
])
def test_bad_profile_files(tmp_path: Path, content: str, message: str) -> None:
    path = tmp_path / "p.json"
    path.write_text(content)
    with pytest.raises(ModelError, match=message) as err:
        get_profile(path)
    assert str(path) in str(err.value)


def test_unknown_profile_name() -> None:
    with pytest.raises(ModelError, match="unknown profile 'fast'"):
        get_profile("fast")
    with pytest.raises(ModelError, match="cannot read profile file"):
        get_profile("/nonexistent/profile.json")
