"""Train the neural tagger (BiLSTM-CRF) in torch and export it for numpy:
`python -m marsad.entities.nntrain --vectors ANT_W2V.txt`.

torch and gensim are for training only (the `train` extra); `neural.py` runs the exported
`.npz`. Word vectors come from `python -m marsad.entities.embed` (ANT, Apache-2.0) and stay
frozen: ANERcorp is small, and a frozen vector keeps an unseen name near the seen ones.
The vocabulary is capped and stored as int8 rows with one scale each, to keep the file small.
`--pretrain N` first trains the encoder as a language model on N ANT paragraphs (the shipped
model: `--members 3 --epochs 16 --vocab 40000 --pretrain 150000`; docs/entities.md);
`--encoder PATH` keeps that encoder for the next run with the same letters and LM settings.
"""

from __future__ import annotations

import argparse
import random
import time
from pathlib import Path

import numpy as np

from marsad.entities.neural import (
    MAX_CHARS,
    N_DENSE,
    NN_PATH,
    TAGS,
    Tagger,
    Vocabs,
    allowed,
    dense,
    one_thread,
    sentence_dense,
    start_allowed,
    viterbi,
)
from marsad.entities.recognize import spans
from marsad.entities.train import DEFAULT_TRAIN, Sentence, read_conll
from marsad.entities.wordclass import word_classes


def load_vectors(path: Path, cap: int) -> tuple[list[str], np.ndarray]:
    """The `cap` most frequent words of a word2vec text file (gensim writes them first)."""
    words, rows = [], []
    with path.open(encoding="utf-8") as f:
        next(f)
        for line in f:
            parts = line.rstrip("\n").split(" ")
            if len(words) >= cap:
                break
            if "\n" in parts[0] or not parts[0]:
                continue
            words.append(parts[0])
            rows.append(np.array(parts[1:], dtype=np.float32))
    return words, np.stack(rows)


def quantize(emb: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    scale = np.abs(emb).max(axis=1) / 127 + 1e-12
    return np.round(emb / scale[:, None]).astype(np.int8), scale.astype(np.float16)


def _bytes(items: list[str]) -> np.ndarray:
    return np.frombuffer("\n".join(items).encode("utf-8"), dtype=np.uint8)


def build(args: argparse.Namespace, sents: list[Sentence], dev: list[Sentence] | None):
    """Train `args.members` nets (seeds args.seed, +1, ...) on `sents`, printing dev F1 of
    each along the way; returns them with the tables `export` writes."""
    import torch
    from torch import nn

    torch.set_num_threads(2)  # the machine's two cores are shared
    words, emb = load_vectors(args.vectors, args.vocab)
    q, scale = quantize(emb)
    emb = q.astype(np.float32) * scale.astype(np.float32)[:, None]  # train on what ships
    counts: dict[str, int] = {}
    for toks, _ in sents:
        for t in toks:
            for c in dense(t)[0][:MAX_CHARS]:
                counts[c] = counts.get(c, 0) + 1
    chars = sorted(c for c, n in counts.items() if n >= 2)
    classes = sorted({v.partition("/")[0] for v in word_classes().values()})
    classes += sorted({"/" + v.partition("/")[2] for v in word_classes().values()})
    vocabs = Vocabs(words, chars, classes)
    n_coarse = 1 + sum(1 for c in classes if c[0] != "/")
    n_fine = len(classes) - n_coarse + 2
    dim = emb.shape[1]

    def encode(toks: list[str]):
        ids = [vocabs.ids(t) for t in toks]
        ch = np.zeros((len(toks), MAX_CHARS + 2), dtype=np.int64)
        ln = np.zeros(len(toks), dtype=np.int64)
        for i, x in enumerate(ids):
            ch[i, : len(x[2])] = x[2]
            ln[i] = len(x[2])
        return (
            torch.tensor([x[0] for x in ids]),
            torch.tensor([x[1] for x in ids]),
            torch.from_numpy(ch),
            torch.from_numpy(ln),
            torch.tensor([x[3] for x in ids]),
            torch.tensor([x[4] for x in ids]),
            torch.from_numpy(sentence_dense(toks)),
        )

    class Net(nn.Module):
        def __init__(self) -> None:
            super().__init__()
            table = np.vstack([np.zeros((1, dim), np.float32), emb])
            self.emb = nn.Embedding.from_pretrained(torch.from_numpy(table), freeze=True)
            self.char = nn.Embedding(len(chars) + 2, args.char_dim)
            self.conv = nn.Conv1d(args.char_dim, args.char_filters, 3)
            self.coarse = nn.Embedding(n_coarse, args.class_dim)
            self.fine = nn.Embedding(n_fine, args.class_dim)
            width = 2 * dim + args.char_filters + 2 * args.class_dim + N_DENSE
            self.lstm = nn.LSTM(width, args.hidden, bidirectional=True, batch_first=True)
            self.drop = nn.Dropout(args.dropout)
            self.out = nn.Linear(2 * args.hidden, len(TAGS))
            self.trans = nn.Parameter(torch.zeros(len(TAGS), len(TAGS)))

        def word_inputs(self, own, core, ch, ln, coarse, fine, dn):
            c = self.conv(self.char(ch).transpose(1, 2))  # (T, F, L - 2)
            valid = torch.arange(c.shape[2])[None, :] < (ln - 2)[:, None]
            c = torch.relu(c) * valid[:, None, :]
            return torch.cat(
                [
                    self.emb(own),
                    self.emb(core),
                    c.max(dim=2).values,
                    self.coarse(coarse),
                    self.fine(fine),
                    dn,
                ],
                dim=1,
            )

        def states(self, batch):
            """BiLSTM states of a batch of encoded sentences (after dropout), and lengths:
            what the tagger's output layer and the pretraining LM both read."""
            xs = [self.word_inputs(*b) for b in batch]
            lens = torch.tensor([len(x) for x in xs])
            pad = nn.utils.rnn.pad_sequence(xs, batch_first=True)
            packed = nn.utils.rnn.pack_padded_sequence(
                self.drop(pad), lens, batch_first=True, enforce_sorted=False
            )
            h, _ = self.lstm(packed)
            h, _ = nn.utils.rnn.pad_packed_sequence(h, batch_first=True)
            return self.drop(h), lens

        def forward(self, batch):
            h, lens = self.states(batch)
            return self.out(h), lens

    mask_t = torch.from_numpy(np.where(allowed(), 0.0, -1e4).astype(np.float32))
    mask_s = torch.from_numpy(np.where(start_allowed(), 0.0, -1e4).astype(np.float32))

    def fast_nll(em, lens, gold, net):
        """The CRF loss with the forward recursion batched over sentences."""
        trans = net.trans + mask_t
        bsz, tmax, _ = em.shape
        mask = torch.arange(tmax)[None, :] < lens[:, None]
        y = torch.zeros(bsz, tmax, dtype=torch.long)
        for b, g in enumerate(gold):
            y[b, : len(g)] = g
        emit = em.gather(2, y[:, :, None]).squeeze(2) * mask
        tr = trans[y[:, :-1], y[:, 1:]] * mask[:, 1:]
        score = emit.sum(1) + tr.sum(1) + mask_s[y[:, 0]]
        alpha = em[:, 0] + mask_s
        for t in range(1, tmax):
            nxt = torch.logsumexp(alpha[:, :, None] + trans[None], dim=1) + em[:, t]
            alpha = torch.where(mask[:, t : t + 1], nxt, alpha)
        return (torch.logsumexp(alpha, dim=1) - score).sum()

    data = [(encode(toks), torch.tensor(gold_ids(tags))) for toks, tags in sents]
    encoder = _encoder(args, chars, lambda: pretrain(args, Net, encode, emb))
    nets = []
    for member in range(args.members):
        torch.manual_seed(args.seed + member)
        random.seed(args.seed + member)
        net = Net()
        if encoder is not None:  # the LM's encoder; output layer and transitions start fresh
            net.load_state_dict(encoder, strict=False)
        opt = torch.optim.Adam([p for p in net.parameters() if p.requires_grad], lr=args.lr)
        for epoch in range(1, args.epochs + 1):
            net.train()
            t0 = time.perf_counter()
            loss_sum = 0.0
            for chunk in batches(data, args.batch):
                em, lens = net([x for x, _ in chunk])
                loss = fast_nll(em, lens, [y for _, y in chunk], net) / len(chunk)
                opt.zero_grad()
                loss.backward()
                nn.utils.clip_grad_norm_(net.parameters(), 5.0)
                opt.step()
                loss_sum += loss.item() * len(chunk)
            line = f"member {member} epoch {epoch} loss {loss_sum / len(data):.3f}"
            line += f" {time.perf_counter() - t0:.0f}s"
            if dev is not None and (epoch % args.report == 0 or epoch == args.epochs):
                line += f" dev F1 {evaluate(net, encode, dev, mask_t, mask_s):.4f}"
            print(line, flush=True)
        nets.append(net)
    return nets, words, q, scale, chars, classes


def pretrain(args: argparse.Namespace, Net, encode, emb: np.ndarray) -> dict:
    """The tagger's encoder (letters, classes, BiLSTM) trained first as a language model on
    ANT paragraphs: the forward states predict the next word, the backward ones the word
    before (a softmax over the `args.lm_vocab` most frequent words, scored against their
    frozen vectors). Unlabelled news text teaches the context names sit in."""
    import torch
    from torch import nn

    from marsad.entities.corpus import DEFAULT_ANT, paragraphs

    torch.manual_seed(args.seed)
    rng = random.Random(args.seed)
    texts = [p[: args.lm_len] for p in paragraphs(DEFAULT_ANT) if len(p) >= 5]
    rng.shuffle(texts)
    texts = texts[: args.pretrain]
    net = Net()
    hid = args.hidden
    k = min(args.lm_vocab, emb.shape[0])
    table = torch.from_numpy(emb[:k].copy())  # word ids 1..k are the k most frequent
    head = nn.ModuleDict({"f": nn.Linear(hid, emb.shape[1]), "b": nn.Linear(hid, emb.shape[1])})
    bias = nn.Parameter(torch.zeros(k))
    params = [p for p in net.parameters() if p.requires_grad]
    opt = torch.optim.Adam([*params, *head.parameters(), bias], lr=args.lr)
    t0, seen, loss_sum = time.perf_counter(), 0, 0.0
    net.train()
    for start in range(0, len(texts), args.batch * 2):
        chunk = texts[start : start + args.batch * 2]
        batch = [encode(t) for t in chunk]
        h, _ = net.states(batch)
        own = nn.utils.rnn.pad_sequence([b[0] for b in batch], batch_first=True)
        own = torch.where(own > k, 0, own) - 1  # -1: not predicted (unknown, rare or pad)
        # sampled softmax: the batch's own words and args.lm_negatives random ones
        cand = torch.unique(torch.cat([own[own >= 0], torch.randint(k, (args.lm_negatives,))]))
        where = torch.full((k + 1,), -1, dtype=torch.long)
        where[cand] = torch.arange(len(cand))
        own = where[own]  # -1 reads where[k], which no candidate sets
        rows, row_bias = table[cand].T, bias[cand]
        nxt, prev = own[:, 1:], own[:, :-1]
        logits_f = head["f"](h[:, :-1, :hid]) @ rows + row_bias
        logits_b = head["b"](h[:, 1:, hid:]) @ rows + row_bias
        n = len(cand)
        loss = nn.functional.cross_entropy(
            logits_f.reshape(-1, n), nxt.reshape(-1), ignore_index=-1
        ) + nn.functional.cross_entropy(logits_b.reshape(-1, n), prev.reshape(-1), ignore_index=-1)
        opt.zero_grad()
        loss.backward()
        nn.utils.clip_grad_norm_(params, 5.0)
        opt.step()
        seen += len(chunk)
        loss_sum += loss.item()
        if (start // (args.batch * 2)) % 200 == 199:
            print(f"pretrain {seen} paragraphs loss {loss_sum / 200:.3f}"
                  f" {time.perf_counter() - t0:.0f}s", flush=True)  # fmt: skip
            loss_sum = 0.0
    keep = ("char.", "conv.", "coarse.", "fine.", "lstm.")
    return {n: v.detach().clone() for n, v in net.state_dict().items() if n.startswith(keep)}


def _lm_key(args: argparse.Namespace, chars: list[str]) -> list:
    """What a pretrained encoder depends on: the letters (from --train/--dev), the vectors
    and the LM and encoder settings."""
    lm = [args.pretrain, args.lm_vocab, args.lm_len, args.lm_negatives, args.seed, args.vocab]
    net = [args.hidden, args.char_dim, args.char_filters, args.class_dim, args.dropout]
    net += [args.lr, args.batch]
    return [*lm, *net, str(args.vectors), "|".join(chars)]


def _encoder(args: argparse.Namespace, chars: list[str], make) -> dict | None:
    """The pretrained LM encoder (None without --pretrain): read from `--encoder` when an
    earlier run saved it with the same letters and settings, so a run that changes only the
    tagging part skips the LM; else made, and saved there."""
    import torch

    if not args.pretrain:
        return None
    key = _lm_key(args, chars)
    if args.encoder and args.encoder.is_file():
        saved = torch.load(args.encoder, weights_only=True)  # tensors, numbers, strings: no code
        if saved.get("key") != key:
            raise SystemExit(f"{args.encoder}: pretrained with other letters or LM settings")
        print(f"encoder read from {args.encoder}", flush=True)
        return saved["encoder"]
    encoder = make()
    if args.encoder:
        torch.save({"key": key, "encoder": encoder}, args.encoder)
    return encoder


def gold_ids(tags: list[str]) -> list[int]:
    """Label ids with ANERcorp's stray I- (after O or another type) read as B-, as `spans`
    reads them: the constrained CRF could not score such a gold path."""
    out, prev = [], "O"
    for t in tags:
        if t.startswith("I-") and prev[2:] != t[2:]:
            t = "B-" + t[2:]
        out.append(TAGS.index(t))
        prev = t
    return out


def batches(data: list, size: int) -> list[list]:
    """Shuffled batches of sentences of near length: the CRF recursion runs to the longest."""
    order = sorted(data, key=lambda d: len(d[1]) + random.random() * 4)
    out = [order[k : k + size] for k in range(0, len(order), size)]
    random.shuffle(out)
    return out


def evaluate(net, encode, dev: list[Sentence], mask_t, mask_s) -> float:
    import torch

    net.eval()
    tp = fp = fn = 0
    trans = (net.trans + mask_t).detach().numpy()
    start = mask_s.numpy()
    with torch.no_grad():
        for k in range(0, len(dev), 64):
            chunk = dev[k : k + 64]
            em, lens = net([encode(toks) for toks, _ in chunk])
            for b, (_, tags) in enumerate(chunk):
                pred = [TAGS[i] for i in viterbi(em[b, : lens[b]].numpy(), trans, start)]
                g, p = set(spans(tags)), set(spans(pred))
                tp += len(g & p)
                fp += len(p - g)
                fn += len(g - p)
    return 2 * tp / (2 * tp + fp + fn) if tp else 0.0


def export(nets, words, q, scale, chars, classes, out: Path) -> None:
    """One file: shared vocabularies and int8 vectors, float16 weights per member."""
    weights = {}
    for m, net in enumerate(nets):
        weights.update({f"m{m}_{k}": v for k, v in _weights(net).items()})
    out.parent.mkdir(parents=True, exist_ok=True)
    np.savez_compressed(
        out,
        vocab=_bytes(words),
        chars=_bytes(chars),
        classes=_bytes(classes),
        emb_q=q,
        emb_scale=scale,
        **{k: v.astype(np.float16) for k, v in weights.items()},
    )


def _weights(net) -> dict[str, np.ndarray]:
    sd = {k: v.detach().numpy() for k, v in net.state_dict().items()}
    return {
        "w_char": sd["char.weight"],
        "w_conv": sd["conv.weight"],
        "w_conv_b": sd["conv.bias"],
        "w_coarse": sd["coarse.weight"],
        "w_fine": sd["fine.weight"],
        "w_ih_f": sd["lstm.weight_ih_l0"],
        "w_hh_f": sd["lstm.weight_hh_l0"],
        "w_b_f": sd["lstm.bias_ih_l0"] + sd["lstm.bias_hh_l0"],
        "w_ih_b": sd["lstm.weight_ih_l0_reverse"],
        "w_hh_b": sd["lstm.weight_hh_l0_reverse"],
        "w_b_b": sd["lstm.bias_ih_l0_reverse"] + sd["lstm.bias_hh_l0_reverse"],
        "w_out": sd["out.weight"],
        "w_out_b": sd["out.bias"],
        "w_trans": sd["trans"],
    }


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--train", type=Path, default=DEFAULT_TRAIN)
    ap.add_argument("--dev", type=int, default=0, help="hold out the last N sentences as dev")
    ap.add_argument("--vectors", type=Path, required=True, help="word2vec text file (embed)")
    ap.add_argument("--out", type=Path, default=NN_PATH)
    ap.add_argument("--vocab", type=int, default=50000)
    ap.add_argument("--epochs", type=int, default=20)
    ap.add_argument("--batch", type=int, default=16)
    ap.add_argument("--lr", type=float, default=2e-3)
    ap.add_argument("--hidden", type=int, default=128)
    ap.add_argument("--dropout", type=float, default=0.5)
    ap.add_argument("--char-dim", type=int, default=24)
    ap.add_argument("--char-filters", type=int, default=48)
    ap.add_argument("--class-dim", type=int, default=16)
    ap.add_argument("--seed", type=int, default=13)
    ap.add_argument("--members", type=int, default=1, help="ensemble of seeds, scores averaged")
    ap.add_argument("--report", type=int, default=2, help="dev F1 every N epochs")
    ap.add_argument("--pretrain", type=int, default=0, help="ANT paragraphs to pretrain on (LM)")
    ap.add_argument("--lm-vocab", type=int, default=20000, help="words the LM predicts")
    ap.add_argument("--lm-len", type=int, default=60, help="tokens of a paragraph kept")
    ap.add_argument("--lm-negatives", type=int, default=1024, help="sampled words per batch")
    ap.add_argument("--encoder", type=Path, help="pretrained encoder: read if there, else saved")
    args = ap.parse_args(argv)
    sents = read_conll(args.train)
    dev = sents[-args.dev :] if args.dev else None
    if args.dev:
        sents = sents[: -args.dev]
    t0 = time.perf_counter()
    export(*build(args, sents, dev), args.out)
    if dev is not None:  # the export, read back by the numpy tagger, on the same dev
        tagger = Tagger(args.out)
        tp = fp = fn = 0
        with one_thread():
            found = tagger.tag([toks for toks, _ in dev])
        for (_, tags), predicted in zip(dev, found, strict=True):
            g, p = set(spans(tags)), set(spans(predicted))
            tp, fp, fn = tp + len(g & p), fp + len(p - g), fn + len(g - p)
        print(f"numpy export dev F1 {2 * tp / (2 * tp + fp + fn):.4f}")
    size = args.out.stat().st_size / 1e6
    print(f"{len(sents)} sentences, {time.perf_counter() - t0:.0f}s, {args.out} {size:.2f} MB")


if __name__ == "__main__":
    main()
