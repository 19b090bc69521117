"""The neural tagger at run time, in numpy: char CNN + ANT word vectors + hand features,
a BiLSTM, and BIO-constrained Viterbi over learned transitions (a BiLSTM-CRF).

Trained in torch by `python -m marsad.entities.nntrain` (training only); the weights ship as
`marsad/data/ner_nn.npz` and tagging needs numpy alone. Per-token inputs are computed once
per distinct token and cached; a sentence costs two LSTM passes of small matrix products.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import numpy as np
from threadpoolctl import ThreadpoolController, threadpool_limits

from marsad.arabic import STOPWORDS, normalize
from marsad.entities import lexicon
from marsad.entities.cueprofile import COLUMNS, profiles
from marsad.entities.lexicon import bare_forms
from marsad.entities.wordclass import word_classes

NN_PATH = Path(__file__).resolve().parents[1] / "data" / "ner_nn.npz"
BATCH = 32  # sentences run through the LSTM together
WORDS_CACHED = 100_000  # token input vectors kept (about 0.3 GB at most)
TAGS = ("O", *(f"{b}-{t}" for t in ("PERS", "LOC", "ORG", "MISC") for b in "BI"))
MAX_CHARS = 16  # longer words keep their first 16 letters: enough for a name's shape
_SHAPES = ("num", "hasnum", "latin", "abbr", "ar", "punct")
_FLAGS = ("gloc", "gorg", "cpers", "corg", "cevent", "stop")
_BANDS = "012345"
N_DENSE = len(_SHAPES) + len(_FLAGS) + len(COLUMNS) * len(_BANDS) + 1 + 1 + 4 + 1 + 1


def allowed() -> np.ndarray:
    """(from, to) BIO moves that can happen: I-X only after B-X or I-X."""
    ok = np.ones((len(TAGS), len(TAGS)), dtype=bool)
    for j, t in enumerate(TAGS):
        if t.startswith("I-"):
            ok[:, j] = [f[2:] == t[2:] for f in TAGS]
    return ok


def start_allowed() -> np.ndarray:
    return np.array([not t.startswith("I-") for t in TAGS])


def _shape(token: str, norm: str) -> str:
    from marsad.entities.features import _shape as shape

    return shape(token, norm)


@lru_cache(maxsize=1 << 17)
def dense(token: str) -> tuple[str, tuple[str, ...], np.ndarray]:
    """(normalized form, its clitic splits, hand features): shape, list hits, cue bands."""
    norm = normalize(token) or token
    shape = _shape(token, norm)
    forms = bare_forms(norm) if shape == "ar" else (norm,)
    x = np.zeros(N_DENSE, dtype=np.float32)
    x[_SHAPES.index(shape)] = 1
    o = len(_SHAPES)
    hits = (
        any(f in lexicon.places() for f in forms),
        any(f in lexicon.organizations() for f in forms),
        any(f in lexicon.PERSON_CUES for f in forms),
        any(f in lexicon.ORG_CUES for f in forms),
        any(f in lexicon.EVENT_CUES for f in forms),
        norm in STOPWORDS,
    )
    x[o : o + len(_FLAGS)] = hits
    o += len(_FLAGS)
    bands = next((profiles()[f] for f in forms if f in profiles()), "")
    for c, b in enumerate(bands[: len(COLUMNS)]):
        if b in _BANDS:
            x[o + c * len(_BANDS) + _BANDS.index(b)] = 1
    o += len(COLUMNS) * len(_BANDS)
    x[o] = not bands
    x[o + 1] = token != norm and norm.isascii() and token[:1].isupper()
    # o + 2 .. o + 5: phrase-list marks, set per sentence
    x[o + 6] = len(forms) > 1
    x[o + 7] = min(len(norm), 10) / 10
    return norm, forms, x


_MARK_AT = N_DENSE - 6


def sentence_dense(tokens: list[str]) -> np.ndarray:
    """Hand features of a sentence's tokens, with multi-word list marks (B/I × loc/org)."""
    from marsad.entities.features import _phrase_marks

    xs = np.stack([dense(t)[2] for t in tokens])
    for i, ms in enumerate(_phrase_marks([dense(t)[0] for t in tokens])):
        for m in ms:
            xs[i, _MARK_AT + ("B-" not in m) * 2 + m.endswith("org")] = 1
    return xs


class Vocabs:
    """Token → ids of the word vectors, letters and word classes (0: unknown, 1: edge)."""

    def __init__(self, words: list[str], chars: list[str], classes: list[str]) -> None:
        self.words = {w: i + 1 for i, w in enumerate(words)}
        self.chars = {c: i + 2 for i, c in enumerate(chars)}
        self.coarse = {c: i + 1 for i, c in enumerate(x for x in classes if x[0] != "/")}
        self.fine = {c[1:]: i + 1 for i, c in enumerate(x for x in classes if x[0] == "/")}

    @lru_cache(maxsize=1 << 17)  # noqa: B019 - one Vocabs per process, kept for its life
    def ids(self, token: str) -> tuple[int, int, tuple[int, ...], int, int]:
        """(word, word under its clitics, letters with edge marks, coarse, fine class)."""
        norm, forms, _ = dense(token)
        found = [self.words.get(f, 0) for f in forms]
        core = next((i for i in found[1:] if i), found[0])
        cls = next((word_classes()[f] for f in forms if f in word_classes()), "")
        coarse, _, fine = cls.partition("/")
        chars = (1, *(self.chars.get(c, 0) for c in norm[:MAX_CHARS]), 1)
        return found[0], core, chars, self.coarse.get(coarse, 0), self.fine.get(fine, 0)


class Tagger:
    """Weights of one trained model and its vocabularies."""

    def __init__(self, path: Path) -> None:
        z = np.load(path)
        self.vocabs = Vocabs(*(_strings(z[k]) for k in ("vocab", "chars", "classes")))
        scale = z["emb_scale"].astype(np.float32)[:, None]
        dim = z["emb_q"].shape[1]
        self.emb = np.vstack([np.zeros((1, dim)), z["emb_q"] * scale]).astype(np.float32)
        self.members = []
        m = 0
        while f"m{m}_w_out" in z.files:
            p = {
                k[len(f"m{m}_") :]: z[k].astype(np.float32)
                for k in z.files
                if k.startswith(f"m{m}_")
            }
            conv = p["w_conv"]  # torch layout (out, in, width) -> (width * in, out)
            p["conv"] = conv.transpose(2, 1, 0).reshape(-1, conv.shape[0])
            self.members.append(p)
            m += 1
        trans = np.mean([p["w_trans"] for p in self.members], axis=0)
        self.trans = np.where(allowed(), trans, -1e4).astype(np.float32)
        self.start = np.where(start_allowed(), 0.0, -1e4).astype(np.float32)
        self._cache: dict[str, list[np.ndarray]] = {}

    def _word(self, token: str) -> np.ndarray:
        """A token's input vector per member (members, dims), without its sentence's list
        marks, cached."""
        hit = self._cache.get(token)
        if hit is not None:
            return hit
        if len(self._cache) >= WORDS_CACHED:  # an archive's vocabulary: memory stays bounded
            self._cache.clear()
        own, core, chars, coarse, fine = self.vocabs.ids(token)
        out = []
        for p in self.members:
            ce = p["w_char"][list(chars)]
            k = p["conv"].shape[0] // ce.shape[1]
            win = np.stack([ce[i : i + k].ravel() for i in range(len(ce) - k + 1)])
            charv = np.maximum(win @ p["conv"] + p["w_conv_b"], 0).max(axis=0)
            parts = [self.emb[own], self.emb[core], charv, p["w_coarse"][coarse], p["w_fine"][fine]]
            out.append(np.concatenate(parts))
        self._cache[token] = stacked = np.stack(out)
        return stacked

    def emissions(self, sentences: list[list[str]]) -> list[np.ndarray]:
        """Per-token label scores of sentences (before the transitions), averaged over the
        ensemble's members. The sentences run together, padded at their ends: the LSTM's
        per-step cost is paid once per batch, and a padded tail changes no real step. The
        input and output layers are one product over all the batch's tokens."""
        lengths = [len(toks) for toks in sentences]
        rows = np.repeat(np.arange(len(sentences)), lengths)
        ahead = np.concatenate([np.arange(n) for n in lengths])  # a token's forward step
        back = np.concatenate([np.arange(n)[::-1] for n in lengths])  # and backward step
        words = np.stack([self._word(t) for toks in sentences for t in toks])  # (N, M, D)
        hand = np.vstack([sentence_dense(toks) for toks in sentences])
        shape = (len(sentences), max(lengths), self.members[0]["w_ih_f"].shape[0])
        gx, whh = [], []
        for m, p in enumerate(self.members):
            xs = np.hstack([words[:, m], hand])
            fwd, bwd = np.zeros(shape, np.float32), np.zeros(shape, np.float32)
            fwd[rows, ahead] = xs @ p["w_ih_f"].T + p["w_b_f"]
            bwd[rows, back] = xs @ p["w_ih_b"].T + p["w_b_b"]
            gx += [fwd, bwd]
            whh += [p["w_hh_f"], p["w_hh_b"]]
        h = _lstm(np.stack(gx), np.stack(whh))  # (2 * members, sentences, steps, hidden)
        total = sum(
            np.hstack([h[2 * m][rows, ahead], h[2 * m + 1][rows, back]]) @ p["w_out"].T
            + p["w_out_b"]
            for m, p in enumerate(self.members)
        ) / len(self.members)
        return np.split(total.astype(np.float32), np.cumsum(lengths)[:-1])

    def tag(self, sentences: list[list[str]]) -> list[list[str]]:
        """BIO tags of non-empty sentences, a batch of similar lengths at a time."""
        order = sorted(range(len(sentences)), key=lambda k: len(sentences[k]))
        tags: list[list[str]] = [[] for _ in sentences]
        for start in range(0, len(order), BATCH):
            batch = order[start : start + BATCH]
            scores = self.emissions([sentences[k] for k in batch])
            for k, em in zip(batch, scores, strict=True):
                tags[k] = [TAGS[i] for i in viterbi(em, self.trans, self.start)]
        return tags


def _strings(a: np.ndarray) -> list[str]:
    return bytes(a).decode("utf-8").split("\n")


def _lstm(gx: np.ndarray, w_hh: np.ndarray) -> np.ndarray:
    """Torch-layout LSTM steps (gates i, f, g, o) of several sequences at once: both
    directions of every member over a batch of sentences, so numpy's per-call cost is paid
    once per time step. gx: (rows, batch, T, 4H) input projections with biases; w_hh:
    (rows, 4H, H)."""
    rows, batch, steps, four = gx.shape
    hsz = four // 4
    w = w_hh.transpose(0, 2, 1)  # (rows, H, 4H)
    h = np.zeros((rows, batch, hsz), np.float32)
    c = np.zeros((rows, batch, hsz), np.float32)
    out = np.empty((rows, batch, steps, hsz), np.float32)
    for t in range(steps):
        g = gx[:, :, t] + h @ w
        s = 1 / (1 + np.exp(-g))
        c = s[..., hsz : 2 * hsz] * c + s[..., :hsz] * np.tanh(g[..., 2 * hsz : 3 * hsz])
        h = out[:, :, t] = s[..., 3 * hsz :] * np.tanh(c)
    return out


def viterbi(em: np.ndarray, trans: np.ndarray, start: np.ndarray) -> list[int]:
    """Best label sequence under emissions and (masked) transitions."""
    score = em[0] + start
    back = []
    for t in range(1, len(em)):
        cand = score[:, None] + trans
        back.append(cand.argmax(axis=0))
        score = cand.max(axis=0) + em[t]
    best = [int(score.argmax())]
    for bp in reversed(back):
        best.append(int(bp[best[-1]]))
    return best[::-1]


@lru_cache(maxsize=1)
def _controller() -> ThreadpoolController:
    return ThreadpoolController()  # finding the loaded BLAS libraries is the slow part


def one_thread() -> threadpool_limits:
    """BLAS on one thread while tagging: the matrices are small, and on a busy machine
    OpenBLAS threads waiting for each other made tagging 20x slower."""
    return _controller().limit(limits=1, user_api="blas")
